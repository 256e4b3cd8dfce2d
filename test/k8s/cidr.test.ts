// IP addresses and CIDR ranges as Go's net/netip reads them: one definition for the injector's capture
// ranges and the validator's addresses, ipBlocks and subnets.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isCidr, isIpAddress, isIpOrCidr, parseCidr } from '../../src/k8s/cidr.js';

describe('isCidr (netip.ParsePrefix)', () => {
  it('accepts IPv4 and IPv6 prefixes, host bits set or not', () => {
    for (const value of ['10.0.0.0/8', '127.0.0.1/24', '0.0.0.0/0', '2001:db8::/32', '::/0', '::ffff:10.0.0.1/128', 'fd00::/8']) assert.ok(isCidr(value), value);
  });

  it('refuses what Go refuses: zero-padded parts, zones, lengths beyond the family, classful and octal forms', () => {
    for (const value of ['10.0.0.0/08', '010.0.0.0/8', 'fe80::1%eth0/64', '10.0.0.0/33', '2001:db8::/129', '1.2.3.4/-1', '1.2.3/24', '0x7f.0.0.1/8', '::ffff:010.0.0.1/128', '10.0.0.0', '']) {
      assert.ok(!isCidr(value), value);
    }
  });

  it('gives the address and the length', () => {
    const cidr = parseCidr('10.1.0.0/16');
    assert.equal(cidr?.bits, 16);
    assert.equal(cidr?.address.toString(), '10.1.0.0');
  });
});

describe('isIpAddress (netip.ParseAddr)', () => {
  it('accepts addresses of both families, an IPv6 zone included', () => {
    for (const value of ['10.0.0.1', '::1', 'fe80::1%eth0', '2001:db8::1']) assert.ok(isIpAddress(value), value);
  });

  it('refuses incomplete and zero-padded IPv4', () => {
    for (const value of ['1.2.3', '010.1.1.1', '256.0.0.1', 'example.com']) assert.ok(!isIpAddress(value), value);
  });

  it('isIpOrCidr takes either', () => {
    assert.ok(isIpOrCidr('10.0.0.1'));
    assert.ok(isIpOrCidr('10.0.0.0/8'));
    assert.ok(!isIpOrCidr('10.0.0.0/08'));
  });
});
