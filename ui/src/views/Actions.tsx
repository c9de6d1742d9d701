// Action buttons, enabled where the user's RBAC allows them (the server's
// permissions answer, from SelfSubjectAccessReviews), disabled with the reason
// otherwise. Every write goes through the existing /api/v1 routes, so the
// server's actions layer records it under the user's identity.
import type { ComponentChildren } from 'preact';
import { useEffect, useId, useRef, useState } from 'preact/hooks';
import type { DashboardAction, DashboardPermissions, WriteResult } from '../lib/contract.js';
import { api, ApiError, appPath, nsPath } from '../net/api.js';

type Permissions =
  | { status: 'loading' }
  | { status: 'ok'; value: DashboardPermissions }
  | { status: 'error'; message: string };

const cache = new Map<string, { at: number; value: Promise<DashboardPermissions> }>();
const PERMISSIONS_TTL_MS = 30_000;

function loadPermissions(namespace: string, app: string, promotion?: string): Promise<DashboardPermissions> {
  const key = `${namespace}/${app}/${promotion ?? ''}`;
  const hit = cache.get(key);
  if (hit && Date.now() - hit.at < PERMISSIONS_TTL_MS) return hit.value;
  const value = api<DashboardPermissions>(
    nsPath(
      namespace,
      `/dashboard/permissions?application=${encodeURIComponent(app)}${promotion ? `&promotion=${encodeURIComponent(promotion)}` : ''}`,
    ),
  );
  value.catch(() => cache.delete(key));
  cache.set(key, { at: Date.now(), value });
  return value;
}

/** `promotion`: approvals are checked on that Promotion (patch promotions/NAME). */
export function usePermissions(namespace: string, app: string, promotion?: string): Permissions {
  const [p, setP] = useState<Permissions>({ status: 'loading' });
  useEffect(() => {
    let live = true;
    loadPermissions(namespace, app, promotion).then(
      (value) => live && setP({ status: 'ok', value }),
      (err: unknown) =>
        live && setP({ status: 'error', message: err instanceof ApiError ? err.message : String(err) }),
    );
    return () => {
      live = false;
    };
  }, [namespace, app, promotion]);
  return p;
}

function permissionOf(perms: Permissions, action: DashboardAction): { allowed: boolean; reason?: string } {
  if (perms.status === 'ok')
    return perms.value.actions[action] ?? { allowed: false, reason: "not in the server's answer" };
  if (perms.status === 'error') return { allowed: false, reason: `permissions unknown: ${perms.message}` };
  return { allowed: false, reason: 'checking permissions…' };
}

const LABELS: Record<DashboardAction, string> = {
  setVersion: 'Set version',
  promote: 'Promote',
  approve: 'Approve',
  rollback: 'Roll back',
  release: 'Release',
  reject: 'Reject',
  unreject: 'Unreject',
};

export type Field =
  | {
      name: string;
      label: string;
      kind: 'text';
      required?: boolean;
      testid: string;
      placeholder?: string;
      initial?: string;
    }
  | { name: string; label: string; kind: 'textarea'; required?: boolean; testid: string }
  | { name: string; label: string; kind: 'checkbox'; testid?: string }
  | { name: string; label: string; kind: 'select'; options: string[]; testid?: string };

export interface ActionSpec {
  action: DashboardAction;
  /** What the dialog asks; none = run on click after a confirmation. */
  fields: Field[];
  /** A one-line question for the dialog, e.g. "Roll back core in prod?". */
  title: string;
  run(values: Record<string, string | boolean>): Promise<WriteResult>;
  /** The sentence shown after success. */
  done(result: WriteResult): string;
}

export interface Outcome {
  ok: boolean;
  text: string;
}

/** The sentence after an action: a status line on success, an alert on failure. */
export function OutcomeLine(props: { outcome: Outcome | null }) {
  const { outcome } = props;
  if (!outcome) return null;
  return (
    <p
      class={outcome.ok ? 'result' : 'error'}
      role={outcome.ok ? 'status' : 'alert'}
      data-testid={outcome.ok ? 'action-result' : 'action-error'}
    >
      {outcome.text}
    </p>
  );
}

/**
 * A group of buttons with one outcome line under it. `onOutcome`: the parent
 * shows the outcome instead — for groups inside an item the action itself
 * removes (an approval that promotes), whose own line would vanish with it.
 */
export function ActionGroup(props: {
  namespace: string;
  app: string;
  promotion?: string;
  specs: ActionSpec[];
  testid?: string;
  label: string;
  onOutcome?: (o: Outcome | null) => void;
}) {
  const perms = usePermissions(props.namespace, props.app, props.promotion);
  const [open, setOpen] = useState<ActionSpec | null>(null);
  const [ownOutcome, setOwnOutcome] = useState<Outcome | null>(null);
  const setOutcome = props.onOutcome ?? setOwnOutcome;
  const idBase = useId();
  return (
    <div class="actions" role="group" aria-label={props.label} data-testid={props.testid}>
      {props.specs.map((spec) => {
        const perm = permissionOf(perms, spec.action);
        return (
          <button
            key={spec.action}
            type="button"
            data-testid={`action-${spec.action}`}
            disabled={!perm.allowed}
            title={perm.allowed ? undefined : perm.reason}
            aria-describedby={perm.allowed ? undefined : `${idBase}-${spec.action}`}
            onClick={() => {
              setOutcome(null);
              setOpen(spec);
            }}
          >
            {LABELS[spec.action]}
          </button>
        );
      })}
      {props.specs.some((spec) => !permissionOf(perms, spec.action).allowed) && (
        <ul class="denied">
          {props.specs.map((spec) => {
            const perm = permissionOf(perms, spec.action);
            return perm.allowed ? null : (
              <li
                key={spec.action}
                id={`${idBase}-${spec.action}`}
                data-testid={`action-${spec.action}-reason`}
              >
                {LABELS[spec.action]}: {perm.reason ?? 'not allowed'}
              </li>
            );
          })}
        </ul>
      )}
      {!props.onOutcome && <OutcomeLine outcome={ownOutcome} />}
      {open && (
        <ActionDialog
          spec={open}
          onClose={(o) => {
            setOpen(null);
            if (o) setOutcome(o);
          }}
        />
      )}
    </div>
  );
}

function ActionDialog(props: {
  spec: ActionSpec;
  onClose: (o: { ok: boolean; text: string } | null) => void;
}) {
  const { spec } = props;
  const ref = useRef<HTMLDialogElement>(null);
  const [values, setValues] = useState<Record<string, string | boolean>>(() =>
    Object.fromEntries(
      spec.fields.map((f) => [
        f.name,
        f.kind === 'checkbox'
          ? false
          : f.kind === 'text'
            ? (f.initial ?? '')
            : f.kind === 'select'
              ? (f.options[0] ?? '')
              : '',
      ]),
    ),
  );
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    ref.current?.showModal();
  }, []);
  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const result = await spec.run(values);
      props.onClose({ ok: true, text: spec.done(result) });
    } catch (err) {
      // Stay open with the reason, so the user can correct the input.
      setError(err instanceof ApiError ? err.message : String(err));
      setBusy(false);
    }
  };
  const field = (f: Field): ComponentChildren => {
    const id = `field-${f.name}`;
    if (f.kind === 'checkbox')
      return (
        <label class="check" key={f.name}>
          <input
            type="checkbox"
            data-testid={f.testid}
            checked={values[f.name] === true}
            onChange={(e) => setValues({ ...values, [f.name]: e.currentTarget.checked })}
          />
          {f.label}
        </label>
      );
    return (
      <div class="field" key={f.name}>
        <label for={id}>{f.label}</label>
        {f.kind === 'textarea' ? (
          <textarea
            id={id}
            data-testid={f.testid}
            required={f.required}
            rows={3}
            maxLength={1024}
            value={values[f.name] as string}
            onInput={(e) => setValues({ ...values, [f.name]: e.currentTarget.value })}
          />
        ) : f.kind === 'select' ? (
          <select
            id={id}
            data-testid={f.testid}
            value={values[f.name] as string}
            onChange={(e) => setValues({ ...values, [f.name]: e.currentTarget.value })}
          >
            {f.options.map((o) => (
              <option key={o} value={o}>
                {o || '(default)'}
              </option>
            ))}
          </select>
        ) : (
          <input
            id={id}
            data-testid={f.testid}
            type="text"
            required={f.required}
            placeholder={f.placeholder}
            value={values[f.name] as string}
            onInput={(e) => setValues({ ...values, [f.name]: e.currentTarget.value })}
          />
        )}
      </div>
    );
  };
  return (
    <dialog
      ref={ref}
      class="dialog"
      data-testid="action-dialog"
      aria-labelledby="dialog-title"
      onCancel={() => props.onClose(null)}
    >
      <form onSubmit={submit}>
        <h2 id="dialog-title">{spec.title}</h2>
        {spec.fields.map(field)}
        {error && (
          <p class="error" role="alert" data-testid="action-error">
            {error}
          </p>
        )}
        <div class="dialog-buttons">
          <button type="button" data-testid="cancel" onClick={() => props.onClose(null)}>
            Cancel
          </button>
          <button type="submit" class="primary" data-testid="confirm" disabled={busy}>
            {busy ? 'Working…' : LABELS[spec.action]}
          </button>
        </div>
      </form>
    </dialog>
  );
}

const versionField = (initial?: string): Field => ({
  name: 'version',
  label: 'Version',
  kind: 'text',
  required: true,
  testid: 'action-version',
  placeholder: '1.2.3',
  initial: initial ?? '',
});

const str = (v: string | boolean | undefined) =>
  typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined;

/** Set version, promote, roll back and release for one application in one environment. */
export function environmentActions(
  namespace: string,
  app: string,
  env: string,
  sources: string[],
): ActionSpec[] {
  const envPath = (rest: string) =>
    appPath(namespace, app, `/environments/${encodeURIComponent(env)}${rest}`);
  return [
    {
      action: 'setVersion',
      title: `Request a version of ${app} in ${env}`,
      fields: [
        versionField(),
        {
          name: 'force',
          label: 'Deliver even during a freeze (recorded as Forced)',
          kind: 'checkbox',
          testid: 'action-force',
        },
      ],
      run: (v) =>
        api<WriteResult>(envPath('/version'), {
          method: 'PUT',
          body: { version: str(v.version), ...(v.force ? { force: true } : {}) },
        }),
      done: (r) => `Requested ${r.application} ${r.version} in ${r.environment ?? env}.`,
    },
    {
      action: 'promote',
      title: `Promote ${app} into ${env}`,
      fields: [
        {
          name: 'from',
          label: 'From environment',
          kind: 'select',
          options: ['', ...sources],
          testid: 'action-from',
        },
        {
          name: 'force',
          label: 'Deliver even during a freeze (recorded as Forced)',
          kind: 'checkbox',
          testid: 'action-force',
        },
      ],
      run: (v) =>
        api<WriteResult>(envPath('/promote'), {
          method: 'POST',
          body: { ...(str(v.from) ? { from: str(v.from) } : {}), ...(v.force ? { force: true } : {}) },
        }),
      done: (r) =>
        `Promoted ${r.application} ${r.version}${r.from ? ` from ${r.from}` : ''} into ${r.environment ?? env}.`,
    },
    {
      action: 'rollback',
      title: `Roll back ${app} in ${env}`,
      fields: [
        {
          name: 'to',
          label: 'To version (default: the previous desired one)',
          kind: 'text',
          testid: 'action-version',
        },
        {
          name: 'reason',
          label: 'Reason (recorded in the history)',
          kind: 'textarea',
          required: true,
          testid: 'rollback-reason',
        },
        {
          name: 'reject',
          label: 'Also reject the version rolled back from',
          kind: 'checkbox',
          testid: 'action-reject-too',
        },
      ],
      run: (v) =>
        api<WriteResult>(envPath('/rollback'), {
          method: 'POST',
          body: {
            ...(str(v.to) ? { to: str(v.to) } : {}),
            reason: str(v.reason),
            ...(v.reject ? { reject: true } : {}),
          },
        }),
      done: (r) =>
        `Rolled back ${r.application} in ${r.environment ?? env} from ${r.rolledBackFrom ?? '?'} to ${r.version}${r.rejected ? ' (rejected)' : ''}.`,
    },
    {
      action: 'release',
      title: `End the rollback hold on the Promotions into ${env}?`,
      fields: [],
      run: () => api<WriteResult>(envPath('/release'), { method: 'POST' }),
      done: (r) => `Released the hold on ${r.application} in ${r.environment ?? env}.`,
    },
  ];
}

export function rejectAction(namespace: string, app: string, version?: string): ActionSpec {
  return {
    action: 'reject',
    title: version ? `Reject ${app} ${version}` : `Reject a version of ${app}`,
    fields: [
      versionField(version),
      { name: 'reason', label: 'Reason', kind: 'textarea', required: true, testid: 'reject-reason' },
    ],
    run: (v) =>
      api<WriteResult>(appPath(namespace, app, '/rejections'), {
        method: 'POST',
        body: { version: str(v.version), reason: str(v.reason) },
      }),
    done: (r) => `Rejected ${r.application} ${r.version}.`,
  };
}

export function unrejectAction(namespace: string, app: string, version: string): ActionSpec {
  return {
    action: 'unreject',
    title: `Remove the rejection of ${app} ${version}?`,
    fields: [],
    run: () =>
      api<WriteResult>(appPath(namespace, app, `/rejections/${encodeURIComponent(version)}`), {
        method: 'DELETE',
      }),
    done: (r) => `${r.application} ${r.version} is no longer rejected.`,
  };
}

export function approveAction(
  namespace: string,
  promotion: string,
  app: string,
  version: string,
): ActionSpec {
  return {
    action: 'approve',
    title: `Approve ${app} ${version} in Promotion ${promotion}?`,
    fields: [],
    run: () =>
      api<WriteResult>(nsPath(namespace, `/promotions/${encodeURIComponent(promotion)}/approvals`), {
        method: 'POST',
        body: { application: app, version },
      }),
    done: (r) =>
      r.approvalsNeeded
        ? `Approved; ${r.approvalsNeeded} more approver(s) needed.`
        : `Approved ${r.application} ${r.version}.`,
  };
}
