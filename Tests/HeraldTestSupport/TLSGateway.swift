import Foundation

/// A real TLS gateway for transport tests: Debian's `nghttpd` (package nghttp2-server) on
/// 127.0.0.1, speaking HTTP/2, with a self-signed certificate the `openssl` command makes
/// for the test. Every request, GET or POST, gets the file `send`: `{"message_id":"h2"}`.
/// `.ci/run` installs both tools.
public final class TLSGateway: Sendable {
    public let port: UInt16
    /// The certificate, as a CA bundle a client may trust.
    public let certificatePath: String
    private let process: Process
    private let folder: TemporaryDirectory

    public var url: String { "https://127.0.0.1:\(port)/send" }

    public struct Unavailable: Error, CustomStringConvertible {
        public var description: String
    }

    private init(port: UInt16, certificatePath: String, process: Process, folder: TemporaryDirectory) {
        self.port = port
        self.certificatePath = certificatePath
        self.process = process
        self.folder = folder
    }

    /// SIGKILL, not SIGTERM: nghttpd inherits the test process's signal mask, and tests of the
    /// service block SIGTERM there (to read it from a stream), so a SIGTERM would never arrive
    /// and every run would leave an nghttpd behind.
    deinit {
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }

    public static func start() async throws -> TLSGateway {
        let folder = try TemporaryDirectory()
        guard let openssl = executable("openssl"), let nghttpd = executable("nghttpd") else {
            throw Unavailable(description: "openssl and nghttpd are needed (apt-get install openssl nghttp2-server)")
        }
        let key = folder.file("key.pem")
        let certificate = folder.file("cert.pem")
        let making = Process()
        making.executableURL = URL(fileURLWithPath: openssl)
        making.arguments = ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", certificate,
                            "-subj", "/CN=localhost", "-addext", "subjectAltName=IP:127.0.0.1", "-days", "1"]
        making.standardOutput = FileHandle.nullDevice
        making.standardError = FileHandle.nullDevice
        try making.run()
        guard await Waiting.exit(of: making, within: .seconds(30)), making.terminationStatus == 0 else {
            throw Unavailable(description: "openssl could not make a certificate")
        }
        try FileManager.default.createDirectory(atPath: folder.file("root"), withIntermediateDirectories: true)
        try folder.write("root/send", #"{"message_id":"h2"}"#)
        let port = try freeLoopbackPort()
        let server = Process()
        server.executableURL = URL(fileURLWithPath: nghttpd)
        server.arguments = ["--htdocs=" + folder.file("root"), "--address=127.0.0.1", "\(port)", key, certificate]
        server.standardOutput = FileHandle.nullDevice
        server.standardError = FileHandle.nullDevice
        try server.run()
        let gateway = TLSGateway(port: port, certificatePath: certificate, process: server, folder: folder)
        guard await Waiting.until(within: .seconds(10), { loopbackAccepts(port) }) else {
            throw Unavailable(description: "nghttpd did not listen on \(port) within 10 s")
        }
        return gateway
    }

    private static func executable(_ name: String) -> String? {
        let folders = (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").map(String.init)
            + ["/usr/sbin", "/usr/bin", "/sbin", "/bin"]
        return folders.map { $0 + "/" + name }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

}
