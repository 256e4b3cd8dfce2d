// Go's strconv.ParseBool, which Istio uses for its boolean annotations (and Prometheus' scrape flag).

/** What ParseBool accepts, for messages. */
export const GO_BOOL_VALUES = 'true or false (also 1, t, T, TRUE, True, 0, f, F, FALSE, False)';

/** true, false, or undefined when Go's ParseBool would fail. */
export function parseGoBool(value: string): boolean | undefined {
  switch (value) {
    case '1': case 't': case 'T': case 'TRUE': case 'true': case 'True':
      return true;
    case '0': case 'f': case 'F': case 'FALSE': case 'false': case 'False':
      return false;
    default:
      return undefined;
  }
}
