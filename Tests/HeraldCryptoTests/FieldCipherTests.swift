import Testing
@testable import HeraldCrypto

/// The store's field cipher: HMAC against RFC 4231's vector, equal values sealing equally for
/// lookups (and only under the same key), random sealing differing, and key ids binding.
@Suite struct FieldCipherTests {
    private let key = (0..<32).map { UInt8($0) }

    @Test func reusedHMACKeyMatchesTheOneShotAndRFC4231() {
        // RFC 4231 test case 2.
        let rfc = HMACKey(key: Array("Jefe".utf8))
        let message = Array("what do ya want for nothing?".utf8)
        let expected = "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        #expect(rfc.authenticate(message).hexString == expected)
        #expect(rfc.authenticate(message).hexString == expected, "the context did not reset between calls")
        #expect(rfc.authenticate([]) == Digest.hmac(.sha256, key: Array("Jefe".utf8), []))
    }

    @Test func lookupSealingIsDeterministicPerKey() throws {
        let cipher = try FieldCipher(key: key)
        let phone = Array("+8613812345678".utf8)
        let sealed = cipher.sealForLookup(phone)
        #expect(cipher.sealForLookup(phone) == sealed)
        #expect(cipher.sealForLookup(Array("+8613812345679".utf8)) != sealed)
        #expect(Array(sealed.prefix(12)) == Array(cipher.blindIndex(phone).prefix(12)))
        #expect(try cipher.open(sealed) == phone)
        #expect(!String(decoding: sealed, as: UTF8.self).contains("13812345678"))

        var otherKey = key
        otherKey[31] ^= 1
        let other = try FieldCipher(key: otherKey)
        #expect(other.keyID != cipher.keyID && cipher.keyID.count == 8)
        #expect(other.sealForLookup(phone) != sealed)
        #expect(other.blindIndex(phone) != cipher.blindIndex(phone))
        #expect(throws: AESGCM.OpenFailure.self) { try other.open(sealed) }
    }

    @Test func randomSealingDiffersAndOpens() throws {
        let cipher = try FieldCipher(key: key)
        let body = Array("【悦享会员】张三您好，生日快乐！回T退订".utf8)
        let first = cipher.seal(body)
        #expect(cipher.seal(body) != first)
        #expect(try cipher.open(first) == body)
        #expect(try cipher.open(cipher.seal([])) == [])
    }

    @Test func aKeyOfTheWrongSizeIsRefused() {
        #expect(throws: FieldCipher.KeyFailure.self) { try FieldCipher(key: Array(repeating: 1, count: 16)) }
        #expect(throws: FieldCipher.KeyFailure.self) { try FieldCipher(key: []) }
    }
}
