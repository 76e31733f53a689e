import Foundation
import HeraldCrypto

/// `cipher`: what one field costs to seal and open, part by part (HMAC for the nonce, GCM,
/// base64), in nanoseconds a call: where encryption at rest spends its time (issue 17).
enum CipherBenchmark {
    static func run() throws {
        let cipher = try FieldCipher(key: Array(repeating: 7, count: 32))
        let gcm = AESGCM(key: Array(repeating: 9, count: 32))
        let hmac = HMACKey(key: Array(repeating: 8, count: 32))
        let phone = Array("+8613812345678".utf8)
        let nonce = Array(repeating: UInt8(1), count: 12)
        let sealed = cipher.sealForLookup(phone)
        let text = sealed.base64String
        let count = 200_000
        func time(_ name: String, _ body: () throws -> Void) rethrows {
            let started = ContinuousClock.now
            for _ in 0..<count { try body() }
            let elapsed = ContinuousClock.now - started
            let nanoseconds = Double(elapsed.components.seconds) * 1e9 + Double(elapsed.components.attoseconds) / 1e9
            say("\(name.padding(toLength: 24, withPad: " ", startingAt: 0)) \(Int(nanoseconds / Double(count))) ns")
        }
        var sink = 0
        time("HMAC-SHA256") { sink &+= hmac.authenticate(phone).count }
        time("AES-GCM seal") { sink &+= gcm.seal(phone, nonce: nonce, authenticating: []).count }
        time("AES-GCM open") { sink &+= (try? gcm.open(gcm.seal(phone, nonce: nonce, authenticating: [])))?.count ?? 0 }
        time("sealForLookup") { sink &+= cipher.sealForLookup(phone).count }
        time("base64 encode") { sink &+= sealed.base64String.count }
        time("base64 decode") { sink &+= Data(base64Encoded: text)?.count ?? 0 }
        try time("open") { sink &+= try cipher.open(sealed).count }
        say("(\(sink))")
    }
}
