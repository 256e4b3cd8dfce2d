// What shell commands (probes, init containers, entrypoints) reach over the network: URLs, `host:port`
// arguments of network tools and the names DNS tools look up. Heuristic by design; unknown scripts give
// nothing rather than guesses.

const LOCAL_HOSTS = new Set(['localhost', '127.0.0.1', '::1', '[::1]', '0.0.0.0', '']);

export function isLocalHost(host: string): boolean {
  return LOCAL_HOSTS.has(host.toLowerCase()) || host.startsWith('127.');
}

/** The command line of a probe or container as one string. */
export function commandLine(parts: readonly (readonly string[] | undefined)[]): string {
  return parts.flatMap((p) => p ?? []).join(' ');
}

/** Shell text without comments (`# ...` to the end of a line). */
function withoutComments(command: string): string {
  return command
    .split('\n')
    .map((line) => line.replace(/(^|\s)#.*$/, ''))
    .join('\n');
}

const HOST = /^[A-Za-z0-9$(){}_-]+(\.[A-Za-z0-9$(){}_-]+)+(:\d+)?$/;
const NETWORK_TOOLS = ['curl', 'wget', 'nc', 'ncat', 'netcat', 'telnet', 'grpc_health_probe', 'grpcurl', 'mysql', 'mysqladmin', 'psql', 'redis-cli', 'mongo', 'mongosh', 'nslookup', 'dig', 'host', 'getent', 'ping'];
const NAME_TOOLS = new Set(['nc', 'ncat', 'netcat', 'telnet', 'nslookup', 'dig', 'host', 'getent', 'ping']);

/**
 * Network destinations a shell command reaches, from URLs, `host:port` arguments of network tools
 * (curl, wget, nc, grpc_health_probe, mysql -h ...) and DNS tools (nslookup, dig, host, getent), the
 * tool being the command of a line or pipeline stage. `localhost` destinations are kept (callers
 * decide); unknown scripts give nothing.
 */
export function networkTargets(command: string): string[] {
  const text = withoutComments(command);
  const targets = new Set<string>();
  for (const match of text.matchAll(/\b(?:https?|grpcs?|tcp|wss?):\/\/(\[[^\]]+\]|[^\s/:'"]*)/gi)) targets.add(match[1]!);
  const tools = new RegExp(`(?:^|[;&|(\\n]|\\b(?:exec|until|while|if|then|do|sh -c|bash -c)\\s)\\s*!?\\s*(?:/[\\w./-]*/)?(${NETWORK_TOOLS.join('|')})\\b([^;&|\\n]*)`, 'g');
  for (const match of text.matchAll(tools)) {
    const tool = match[1]!;
    const args = match[2]!.trim().split(/\s+/).filter((a) => a !== '');
    for (let i = 0; i < args.length; i++) {
      const arg = args[i]!.replace(/^['"]|['"]$/g, '');
      const addr = /^-?-?addr(?:ess)?=(.*)$/.exec(arg);
      if (addr) {
        targets.add(addr[1]!.replace(/:\d+$/, ''));
        continue;
      }
      const hostFlag = /^--?h(?:ost)?=(.+)$/.exec(arg);
      if (hostFlag) {
        targets.add(hostFlag[1]!);
        continue;
      }
      if ((arg === '-h' || arg === '--host') && args[i + 1]) {
        targets.add(args[i + 1]!.replace(/^['"]|['"]$/g, ''));
        i++;
        continue;
      }
      if (/^-h[A-Za-z0-9]/.test(arg) && tool.startsWith('mysql')) {
        targets.add(arg.slice(2));
        continue;
      }
      if (arg.startsWith('-') || /^[a-z]+:\/\//.test(arg)) continue;
      if (tool === 'getent' && (arg === 'hosts' || arg === 'ahosts')) continue;
      if (HOST.test(arg) || arg === 'localhost') {
        targets.add(arg.replace(/:\d+$/, ''));
      } else if (NAME_TOOLS.has(tool) && /^[A-Za-z$][A-Za-z0-9.$(){}_-]*$/.test(arg)) {
        targets.add(arg);
        break;
      }
    }
  }
  return [...targets];
}
