import Testing
import HeraldCore

/// `serve.callbacks_from` entries: addresses and CIDR networks, IPv4 and IPv6, and what the
/// config loader says about ones it cannot read.
@Suite struct IPAddressRangeTests {
    @Test func networksContainTheirAddressesOnly() throws {
        let v4 = try #require(IPAddressRange("203.0.113.0/24"))
        #expect(v4.contains("203.0.113.0") && v4.contains("203.0.113.255"))
        #expect(!v4.contains("203.0.114.1") && !v4.contains("2001:db8::1") && !v4.contains("x"))
        #expect(v4.contains("::ffff:203.0.113.9"), "an IPv4 peer on a dual-stack socket")
        let odd = try #require(IPAddressRange("10.0.0.0/9"))
        #expect(odd.contains("10.127.255.255") && !odd.contains("10.128.0.0"))
        let one = try #require(IPAddressRange("198.51.100.7"))
        #expect(one.contains("198.51.100.7") && !one.contains("198.51.100.8"))
        let v6 = try #require(IPAddressRange("2001:db8::/32"))
        #expect(v6.contains("2001:db8:ffff::1") && !v6.contains("2001:db9::1") && !v6.contains("203.0.113.1"))
        #expect(try #require(IPAddressRange("0.0.0.0/0")).contains("8.8.8.8"))
    }

    @Test(arguments: ["", "203.0.113.0/33", "203.0.113.0/", "203.0.113/24", "example.cn", "::1/129", "1.2.3.4/-1",
                      "1.2.3.4/0024"])
    func unreadableEntriesAreNil(text: String) {
        #expect(IPAddressRange(text) == nil)
    }

    @Test func theLoaderPointsAtAnEntryItCannotRead() {
        let log = DiagnosticLog()
        _ = ConfigLoader.parse("""
            { store: { sqlite: 'h.db' },
              serve: { callbacks_from: ["203.0.113.0/24", "203.0.113.0/33"] } }
            """, path: "/etc/herald/herald.json5", log: log)
        #expect(log.diagnostics.map(\.description) == [
            #"/etc/herald/herald.json5:2:47: serve.callbacks_from: expected an IP address or network such as "203.0.113.0/24", found "203.0.113.0/33""#,
        ])
    }
}
