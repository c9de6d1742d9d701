// Small shared controls: a labelled select and the SVG arrow head.

/** A select with its visible label; options as values or [value, label] pairs. */
export function Choice(props: {
  label: string;
  value: string;
  options: readonly (string | readonly [string, string])[];
  onChange: (value: string) => void;
  testid?: string;
  /** A first option with the value '' (e.g. "all"). */
  empty?: string;
}) {
  return (
    <label class="inline">
      <span>{props.label}</span>
      <select
        data-testid={props.testid}
        value={props.value}
        onChange={(e) => props.onChange(e.currentTarget.value)}
      >
        {props.empty !== undefined && <option value="">{props.empty}</option>}
        {props.options.map((o) => {
          const [value, text] = typeof o === 'string' ? [o, o] : o;
          return (
            <option key={value} value={value}>
              {text}
            </option>
          );
        })}
      </select>
    </label>
  );
}

export function ArrowMarker(props: { id: string }) {
  return (
    <defs>
      <marker
        id={props.id}
        viewBox="0 0 10 10"
        refX="10"
        refY="5"
        markerWidth="8"
        markerHeight="8"
        orient="auto-start-reverse"
      >
        <path d="M 0 0 L 10 5 L 0 10 z" class="arrow-head" />
      </marker>
    </defs>
  );
}

export function TableHead(props: { columns: readonly string[] }) {
  return (
    <thead>
      <tr>
        {props.columns.map((c) => (
          <th scope="col" key={c}>
            {c}
          </th>
        ))}
      </tr>
    </thead>
  );
}
