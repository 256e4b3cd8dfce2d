// `npm run cluster:up`: a real control plane (etcd, kube-apiserver, kube-controller-manager, Istio's
// CRDs) on loopback for trying meshgate by hand. Prints the kubeconfig and stays up until Ctrl-C,
// then stops every process it started and removes its files.
import { ControlPlane } from './harness/control-plane.js';
import { onSignal } from './harness/processes.js';

const say = (line: string): void => void process.stderr.write(`cluster: ${line}\n`);

onSignal((signal) => say(`${signal}: stopping the control plane`));
const plane = await ControlPlane.start({ log: say });
const version = await plane.version();
process.stdout.write(
  [
    '',
    `Kubernetes ${version.gitVersion} is up at ${plane.server}.`,
    '',
    `  export KUBECONFIG=${plane.kubeconfig}`,
    `  ${plane.assets.path('kubectl')} get --raw /version`,
    `  npx meshgate analyze --kubeconfig ${plane.kubeconfig} -A`,
    `  npx meshgate serve --kubeconfig ${plane.kubeconfig} --host 127.0.0.1 --port 8443 --health-port 9090`,
    '',
    'There is no kubelet: pods stay Pending, which is enough for admission. Ctrl-C stops everything.',
    '',
  ].join('\n'),
);
// Stay up: the signal handlers stop the processes and exit.
setInterval(() => undefined, 1 << 30);
