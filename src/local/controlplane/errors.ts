// A failure of the local control plane, worded for the user of `depot local`.
export class ControlPlaneError extends Error {}
