// `meshgate serve --kubeconfig` as a new user first tries it against a real API server: a port that is
// taken ends the process with exit 1 and says which, instead of logging "fatal" and running on.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { startMeshgate } from '../../helpers/meshgate-process.js';
import { clusterSkip } from '../harness/assets.js';
import { ControlPlane } from '../harness/control-plane.js';
import { trackChild } from '../harness/processes.js';

async function squat(): Promise<{ server: Server; port: number }> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as { port: number }).port };
}

describe('meshgate serve --kubeconfig against a real API server', { skip: clusterSkip(), timeout: 120_000 }, () => {
  let plane: ControlPlane;

  before(async () => {
    plane = await ControlPlane.start({ istioCrds: false });
    await plane.kubectlOk(['create', 'namespace', 'meshgate']);
  });

  after(async () => {
    await plane?.stop();
  });

  for (const which of ['health', 'https'] as const) {
    it(`exits 1 when the ${which} port is taken, naming it`, async () => {
      const { server, port } = await squat();
      try {
        const meshgate = await startMeshgate({
          args: ['--kubeconfig', plane.kubeconfig, '--namespace', 'meshgate'],
          ...(which === 'health' ? { healthPort: port } : { port }),
          waitReady: false,
          onSpawn: (child) => trackChild('meshgate serve', child),
        });
        let timer: NodeJS.Timeout | undefined;
      const outcome = await Promise.race([meshgate.exited, new Promise<string>((resolve) => (timer = setTimeout(() => resolve('still running after 20 s'), 20_000)))]);
      clearTimeout(timer);
        if (outcome !== 1) await meshgate.stop('SIGKILL');
        assert.equal(outcome, 1, `${meshgate.stderr()}\n${meshgate.stdout().slice(-2000)}`);
        assert.match(meshgate.stderr(), new RegExp(`^meshgate serve: cannot start: port already in use \\(listen EADDRINUSE: address already in use 127\\.0\\.0\\.1:${port}\\)$`, 'm'));
        assert.ok(meshgate.logs().some((l) => l['level'] === 'fatal' && l['msg'] === 'cannot start the webhook'));
      } finally {
        server.close();
      }
    });
  }
});
