// Whether the application waits for the proxy (Istio's holdApplicationUntilProxyStarts), decided once:
// from proxy.istio.io/config or the configuration, and (beyond Istio) for every pod behind a headless
// Service, whose peers dial it as soon as it starts, unless its proxy.istio.io/config refuses the hold.
import { headlessServicesPhrase, TOLERATE_UNREADY_ANNOTATION } from './headless.js';
import { note, type HeadlessPlan, type HoldDecision, type Note, type PodSettings } from './types.js';

export function decideHold(input: {
  readonly settings: Pick<PodSettings, 'holdApplicationUntilProxyStarts' | 'holdDecidedBy' | 'proxyConfig'>;
  readonly headless: HeadlessPlan | undefined;
}): { readonly hold: HoldDecision; readonly notes: readonly Note[] } {
  const { settings, headless } = input;
  const configured = settings.holdApplicationUntilProxyStarts;
  if (!headless) {
    return { hold: { hold: configured, reason: `holdApplicationUntilProxyStarts is ${configured ? 'on' : 'off'}`, decidedBy: settings.holdDecidedBy }, notes: [] };
  }
  const who = headlessServicesPhrase(headless.headlessServices.map((service) => service.name));
  const refused = settings.proxyConfig.holdApplicationUntilProxyStarts === false;
  const notes: Note[] = [];
  if (refused) {
    notes.push(
      note(
        'left the application unheld although it sits behind a headless Service',
        `proxy.istio.io/config sets holdApplicationUntilProxyStarts: false; peers behind ${who} may be dialed before this pod's proxy is ready, and those first connections fail`,
        'warning',
      ),
    );
  } else {
    notes.push(note('held the application until the proxy is ready', `peers behind ${who} start dialing each other as soon as they start; connections made before the proxy is ready fail`));
  }
  for (const service of headless.headlessServices) {
    if (service.notReadyAddresses === 'published' && !refused) {
      notes.push(
        note(
          `kept the application hold for headless Service ${service.name} (publishNotReadyAddresses: true)`,
          'its DNS answers with pods that are not ready yet, so peers are discovered, and dialed, before their proxies are ready; holding each application until its own proxy is ready keeps its first outbound connections working, and peers must retry connections a starting pod refuses',
        ),
      );
    } else if (service.notReadyAddresses === 'published') {
      notes.push(
        note(
          `did not hold the application for headless Service ${service.name} (publishNotReadyAddresses: true)`,
          'its DNS answers with pods that are not ready yet, so peers dial this pod before its proxy is ready and those connections fail; proxy.istio.io/config refuses the hold',
          'warning',
        ),
      );
    } else if (service.notReadyAddresses === 'annotation-ignored') {
      notes.push(
        note(
          `treated headless Service ${service.name} as publishing ready pods only`,
          `its annotation ${TOLERATE_UNREADY_ANNOTATION} has no effect since Kubernetes 1.24 (kubernetes/kubernetes#108020); set spec.publishNotReadyAddresses: true if peers must find each other before they are ready`,
        ),
      );
    }
  }
  // A refusal comes from the pod's own proxy.istio.io/config (the settings say so); a hold the
  // configuration asks for anyway is the configuration's; otherwise the first headless Service holds it.
  const hold: HoldDecision = refused
    ? { hold: false, reason: 'proxy.istio.io/config sets holdApplicationUntilProxyStarts: false', decidedBy: settings.holdDecidedBy }
    : configured
      ? { hold: true, reason: 'holdApplicationUntilProxyStarts is on', decidedBy: settings.holdDecidedBy }
      : { hold: true, reason: 'the pod sits behind a headless Service', decidedBy: { on: 'service', service: headless.headlessServices[0]?.name ?? '', path: 'spec.clusterIP' } };
  return { hold, notes };
}
