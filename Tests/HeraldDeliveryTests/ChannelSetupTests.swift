import Foundation
import Testing
import HeraldCore
import HeraldDelivery
@_spi(StoreSQL) import HeraldTestSupport

/// What start-up refuses about a channel, with file:line:column — and `herald validate`
/// reports the same through `ChannelFactory.check`.
@Suite struct ChannelSetupTests {
    private func config(_ channels: String, in folder: TemporaryDirectory) throws -> HeraldConfig {
        try ConfigLoader.parse("{\n  store: { sqlite: 'h.db' },\n  channels: {\n\(channels)\n  },\n}", path: folder.file("h.json5"))
    }

    @Test func everyProblemStartUpWouldHitIsFoundWithoutBuildingAnything() throws {
        let folder = try TemporaryDirectory()
        try FileManager.default.createDirectory(atPath: folder.file("a-folder"), withIntermediateDirectories: true)
        let parsed = try config("""
                sms: { adapter: "http", url: "https://{{ secret.HOST }}/send", headers: { Authorization: "Bearer {{ secret.TOKEN }}" } },
                sms_b: { adapter: "http", url: "https://gw.example.cn/send", body: { mobile: "{{ to }}", text: "{{ txt }}" } },
                push: { adapter: "log", path: "a-folder" },
                email: { adapter: "http", url: "https://gw.example.cn/x", headers: { Authorization: "{{ secret.MISSING }}" } },
            """, in: folder)
        let secrets = SecretSource(environment: ["HOST": "gw example.cn", "TOKEN": "t0ken-value"])
        let (problems, warnings) = ChannelFactory.check(parsed, secrets: secrets)
        let file = folder.file("h.json5")
        #expect(problems.map(\.description).sorted() == [
            "\(file):4:34: channels.sms.url: expected an http:// or https:// URL with a host and no spaces once its secrets are filled in",
            "\(file):5:100: channels.sms_b.body: unknown placeholder {{ txt }}; expected one of to, text, title, idempotency_key, channel or secret.NAME",
            "\(file):6:35: channels.push.path: \(folder.file("a-folder")) is a folder; expected a file",
        ])
        #expect(warnings.map(\.description) == [
            "\(file):7:72: channels.email.headers: secret 'MISSING' is not set here (neither a file in $CREDENTIALS_DIRECTORY nor an environment variable); start-up needs it",
        ])
        // Start-up refuses the first of them, with its position.
        #expect(throws: Diagnostic.self) { try ChannelFactory.makeRouters(parsed, context: ChannelContext(secrets: secrets)) }
        // Nothing was created by checking.
        #expect(!FileManager.default.fileExists(atPath: folder.file("a-folder/x")))
    }

    /// A line break in a header name, a value or a secret would add headers of its own.
    @Test func headersCannotBeInjected() throws {
        let folder = try TemporaryDirectory()
        for headers in [#"{ "X-A": "v\r\nX-Injected: yes" }"#, #"{ "X-A: 1\r\nX-Injected": "yes" }"#,
                        #"{ Authorization: "Bearer {{ secret.TOKEN }}" }"#] {
            let parsed = try config("    sms: { adapter: 'http', url: 'https://gw.example.cn/', headers: \(headers) },", in: folder)
            let secrets = SecretSource(environment: ["TOKEN": "abcd\r\nX-Injected: yes"])
            let (problems, _) = ChannelFactory.check(parsed, secrets: secrets)
            #expect(problems.count == 1 && problems[0].message.hasPrefix("channels.sms.headers: "), "\(problems)")
        }
    }

    @Test func aCAFileMustHoldCertificatesAndAStoreMustBeAFile() throws {
        let folder = try TemporaryDirectory()
        let notPEM = try folder.write("ca.pem", "not a certificate")
        let parsed = try config("    sms: { adapter: 'http', url: 'https://gw.example.cn/', ca_file: '\(notPEM)' },", in: folder)
        let (problems, _) = ChannelFactory.check(parsed, secrets: SecretSource(environment: [:]))
        #expect(problems.map(\.message) == ["channels.sms.ca_file: \(notPEM) is not a readable PEM file of certificates"])
        #expect(throws: ConfigLoader.Failure.self) {
            try ConfigLoader.parse("{ store: { sqlite: '/dev/null' } }", path: folder.file("h.json5"))
        }
    }

    @Test func theSecretsChannelsUseAreKnownToTheRedactor() throws {
        let folder = try TemporaryDirectory()
        let parsed = try config("""
                sms: { adapter: "http", url: "https://gw.example.cn/{{ secret.PATH }}", headers: { X: "{{ secret.TOKEN }}" },
                       body: { key: "{{ secret.BODY }}", to: "{{ to }}" } },
            """, in: folder)
        let secrets = SecretSource(environment: ["PATH": "p4th-value", "TOKEN": "t0ken-value", "BODY": "b0dy-value", "OTHER": "x"])
        #expect(ChannelFactory.secretValues(parsed, secrets: secrets).sorted() == ["b0dy-value", "p4th-value", "t0ken-value"])
    }

    @Test func aLogChannelFileIsCreatedForItsOwnerOnly() throws {
        let folder = try TemporaryDirectory()
        let parsed = try config("    push: { adapter: 'log', path: 'out/push.jsonl' },", in: folder)
        _ = try ChannelFactory.makeRouters(parsed, context: ChannelContext(secrets: SecretSource(environment: [:])))
        let attributes = try FileManager.default.attributesOfItem(atPath: folder.file("out/push.jsonl"))
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
    }
}
