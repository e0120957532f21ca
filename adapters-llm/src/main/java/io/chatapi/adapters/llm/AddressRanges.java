package io.chatapi.adapters.llm;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.Optional;

/**
 * Names the kind of non-public address an IP is: loopback, private, link-local (cloud metadata lives there),
 * unspecified, multicast, shared (CGNAT), benchmarking or reserved; IPv6 forms that embed an IPv4 address
 * (mapped, compatible, NAT64, 6to4, Teredo) are judged by that address.
 */
final class AddressRanges {
    private AddressRanges() {
    }

    /** The kind of non-public address, or empty for an ordinary public one. */
    static Optional<String> nonPublicKind(InetAddress address) {
        if (address instanceof Inet6Address v6 && !v6.isLoopbackAddress() && !v6.isAnyLocalAddress()) {
            Optional<Inet4Address> embedded = embeddedIpv4(v6.getAddress());
            if (embedded.isPresent()) {
                return nonPublicKind(embedded.get());
            }
        }
        if (address.isLoopbackAddress()) {
            return Optional.of("loopback");
        }
        if (address.isAnyLocalAddress()) {
            return Optional.of("unspecified");
        }
        if (address.isLinkLocalAddress()) {
            return Optional.of("link-local");
        }
        if (address.isSiteLocalAddress()) {
            return Optional.of("private");
        }
        if (address.isMulticastAddress()) {
            return Optional.of("multicast");
        }
        byte[] b = address.getAddress();
        if (address instanceof Inet4Address) {
            int first = b[0] & 0xff;
            int second = b[1] & 0xff;
            if (first == 0) {
                return Optional.of("unspecified");
            }
            if (first == 100 && (second & 0xc0) == 64) {
                return Optional.of("shared (CGNAT)");
            }
            if (first >= 240 || first == 192 && second == 0 && (b[2] & 0xff) == 0) {
                return Optional.of("reserved"); // 240.0.0.0/4 and the protocol assignments of 192.0.0.0/24
            }
            if (first == 198 && (second & 0xfe) == 18) {
                return Optional.of("benchmarking"); // 198.18.0.0/15, lab networks
            }
        } else if ((b[0] & 0xfe) == 0xfc) {
            return Optional.of("private");
        } else if (startsWith(b, 0x00, 0x64, 0xff, 0x9b, 0x00, 0x01)) {
            return Optional.of("reserved"); // 64:ff9b:1::/48, NAT64 prefixes of a local network's own choice
        } else if (startsWith(b, 0x20, 0x01, 0x0d, 0xb8) || startsWith(b, 0x01, 0x00, 0, 0, 0, 0, 0, 0)) {
            return Optional.of("reserved"); // 2001:db8::/32 (documentation) and 100::/64 (discard only)
        }
        return Optional.empty();
    }

    private static Optional<Inet4Address> embeddedIpv4(byte[] b) {
        boolean zeroPrefix = isZero(b, 0, 10);
        boolean mapped = zeroPrefix && (b[10] & 0xff) == 0xff && (b[11] & 0xff) == 0xff;
        boolean compatible = zeroPrefix && b[10] == 0 && b[11] == 0;
        boolean nat64 = (b[0] & 0xff) == 0x00 && (b[1] & 0xff) == 0x64 && (b[2] & 0xff) == 0xff
                && (b[3] & 0xff) == 0x9b && isZero(b, 4, 12);
        if (mapped || compatible || nat64) {
            return Optional.of(ipv4(Arrays.copyOfRange(b, 12, 16)));
        }
        if ((b[0] & 0xff) == 0x20 && (b[1] & 0xff) == 0x02) {
            return Optional.of(ipv4(Arrays.copyOfRange(b, 2, 6)));
        }
        if (startsWith(b, 0x20, 0x01, 0x00, 0x00)) { // Teredo: the client's address, each bit inverted
            byte[] client = Arrays.copyOfRange(b, 12, 16);
            for (int i = 0; i < client.length; i++) {
                client[i] = (byte) ~client[i];
            }
            return Optional.of(ipv4(client));
        }
        return Optional.empty();
    }

    private static boolean startsWith(byte[] b, int... prefix) {
        for (int i = 0; i < prefix.length; i++) {
            if ((b[i] & 0xff) != prefix[i]) {
                return false;
            }
        }
        return true;
    }

    private static boolean isZero(byte[] b, int from, int to) {
        for (int i = from; i < to; i++) {
            if (b[i] != 0) {
                return false;
            }
        }
        return true;
    }

    private static Inet4Address ipv4(byte[] b) {
        try {
            return (Inet4Address) InetAddress.getByAddress(b);
        } catch (UnknownHostException e) {
            throw new IllegalStateException("four bytes are always an IPv4 address", e);
        }
    }
}
