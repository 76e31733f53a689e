import Foundation

/// Key pairs made by the `openssl` command for the push providers' tests (an EC P-256 key
/// like Apple's `.p8`, an RSA key like a Google service account's): private and public PEM.
public enum TestKeys {
    public struct Pair: Sendable {
        public var privatePEM: String
        public var publicPEM: String
    }

    /// `algorithm`: `EC` or `RSA`.
    public static func make(_ algorithm: String, in folder: TemporaryDirectory) throws -> Pair {
        let key = folder.file("key-\(UUID().uuidString).pem")
        let options = algorithm == "EC" ? ["-pkeyopt", "ec_paramgen_curve:P-256"] : ["-pkeyopt", "rsa_keygen_bits:2048"]
        try run(["genpkey", "-algorithm", algorithm] + options + ["-out", key])
        try run(["pkey", "-in", key, "-pubout", "-out", key + ".pub"])
        return Pair(privatePEM: try String(contentsOfFile: key, encoding: .utf8),
                    publicPEM: try String(contentsOfFile: key + ".pub", encoding: .utf8))
    }

    private static func run(_ arguments: [String]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw TLSGateway.Unavailable(description: "openssl \(arguments.first ?? "") failed (apt-get install openssl)")
        }
    }
}
