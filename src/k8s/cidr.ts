// IP addresses and CIDR ranges as Istio reads them (Go's net/netip, which both its annotation checks and
// its config validation use): one definition for the injector's capture ranges and the validator's
// ServiceEntry addresses, AuthorizationPolicy ipBlocks and VirtualService subnets. ipaddr.js parses
// both families (IPv4-in-IPv6 included); Go's stricter spellings are enforced on top of it.
import { createRequire } from 'node:module';
import type ipaddrModule from 'ipaddr.js';

// Loaded on first use (a CommonJS module, about 15 ms to load): most runs never meet an IP address.
const require = createRequire(import.meta.url);
let loaded: typeof ipaddrModule | undefined;
function ipaddr(): typeof ipaddrModule {
  loaded ??= require('ipaddr.js') as typeof ipaddrModule;
  return loaded;
}

const DECIMAL_IPV4 = /^(0|[1-9][0-9]{0,2})(\.(0|[1-9][0-9]{0,2})){3}$/;
const PREFIX_BITS = /^(0|[1-9][0-9]{0,2})$/;

type Address = ipaddrModule.IPv4 | ipaddrModule.IPv6;

/** Go's netip.ParseAddr: IPv4 in four decimal parts without leading zeros, or IPv6 (zone allowed). */
function parseAddress(text: string): Address | undefined {
  if (!text.includes(':')) {
    return DECIMAL_IPV4.test(text) && ipaddr().IPv4.isValid(text) ? ipaddr().IPv4.parse(text) : undefined;
  }
  // An IPv4 tail (`::ffff:10.0.0.1`) follows the IPv4 rules too.
  const tail = /:([0-9.]+)(%.*)?$/.exec(text)?.[1];
  if (tail !== undefined && tail.includes('.') && !DECIMAL_IPV4.test(tail)) return undefined;
  return ipaddr().IPv6.isValid(text) ? ipaddr().IPv6.parse(text) : undefined;
}

export function isIpAddress(text: string): boolean {
  return parseAddress(text) !== undefined;
}

export interface Cidr {
  readonly address: Address;
  readonly bits: number;
}

/** Go's netip.ParsePrefix: `address/bits`, bits in decimal without leading zeros and within the family, no zone. */
export function parseCidr(text: string): Cidr | undefined {
  const slash = text.lastIndexOf('/');
  if (slash < 0) return undefined;
  const addressText = text.slice(0, slash);
  const bitsText = text.slice(slash + 1);
  if (!PREFIX_BITS.test(bitsText) || addressText.includes('%')) return undefined;
  const address = parseAddress(addressText);
  if (!address) return undefined;
  const bits = Number(bitsText);
  return bits <= (address.kind() === 'ipv4' ? 32 : 128) ? { address, bits } : undefined;
}

export function isCidr(text: string): boolean {
  return parseCidr(text) !== undefined;
}

export function isIpOrCidr(text: string): boolean {
  return isIpAddress(text) || isCidr(text);
}
