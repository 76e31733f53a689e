import Testing
@testable import HeraldCrypto

/// AES-256-GCM against the GCM specification's published vectors (McGrew and Viega, test
/// cases 13 and 14: zero key and nonce), and every way a sealed value can be wrong.
@Suite struct AESGCMTests {
    private let zeroKey = [UInt8](repeating: 0, count: 32)
    private let zeroNonce = [UInt8](repeating: 0, count: 12)

    @Test func knownAnswers() {
        let cipher = AESGCM(key: zeroKey)
        let empty = cipher.seal([], nonce: zeroNonce, authenticating: [])
        #expect(empty.dropFirst(12).map { $0 }.hexString == "530f8afbc74536b9a963b4f1c4cb738b")
        let block = cipher.seal([UInt8](repeating: 0, count: 16), nonce: zeroNonce, authenticating: [])
        #expect(block.dropFirst(12).map { $0 }.hexString
                == "cea7403d4d606b6e074ec5d3baf39d18" + "d0d1c8a799996bf0265b98b5d48ab919")
    }

    @Test func sealedValuesOpenOnlyAsSealed() throws {
        let key = (0..<32).map { UInt8($0) }
        let phone = Array("+8613812345678".utf8)
        let place = Array("members.phone:42".utf8)
        let cipher = AESGCM(key: key)
        let sealed = cipher.seal(phone, authenticating: place)
        #expect(sealed.count == 12 + phone.count + 16)
        #expect(try cipher.open(sealed, authenticating: place) == phone)
        #expect(cipher.seal(phone, authenticating: place) != sealed, "a nonce was drawn twice")
        #expect(try cipher.open(cipher.seal([])) == [])

        var otherKey = key
        otherKey[0] ^= 1
        #expect(throws: AESGCM.OpenFailure.self) { try AESGCM(key: otherKey).open(sealed, authenticating: place) }
        #expect(throws: AESGCM.OpenFailure.self) {
            try cipher.open(sealed, authenticating: Array("members.phone:43".utf8))
        }
        for index in [0, 12, sealed.count - 1] {
            var altered = sealed
            altered[index] ^= 0x80
            #expect(throws: AESGCM.OpenFailure.self, "byte \(index) altered and still opened") {
                try cipher.open(altered, authenticating: place)
            }
        }
        #expect(throws: AESGCM.OpenFailure.self) { try cipher.open(Array(sealed.prefix(27))) }
    }
}
