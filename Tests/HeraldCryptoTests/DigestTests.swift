import Testing
import HeraldCrypto

/// The libcrypto wrapper against the published vectors: FIPS 180-2's "abc", RFC 4231
/// (HMAC-SHA-256) and RFC 2202 (HMAC-SHA-1), including keys longer than a block.
@Suite struct DigestTests {
    private func bytes(_ byte: UInt8, _ count: Int) -> [UInt8] { Array(repeating: byte, count: count) }

    @Test func digestsOfKnownInputs() {
        #expect(Digest.sha256("abc").hexString == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(Digest.sha256("").hexString == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(Digest.hash(.sha1, Array("abc".utf8)).hexString == "a9993e364706816aba3e25717850c26c9cd0d89d")
    }

    @Test func hmacSHA256OfRFC4231() {
        #expect(Digest.hmacSHA256(key: bytes(0x0B, 20), "Hi There").hexString
                == "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7")
        #expect(Digest.hmacSHA256(key: Array("Jefe".utf8), "what do ya want for nothing?").hexString
                == "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
        #expect(Digest.hmac(.sha256, key: bytes(0xAA, 20), bytes(0xDD, 50)).hexString
                == "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe")
        #expect(Digest.hmacSHA256(key: bytes(0xAA, 131), "Test Using Larger Than Block-Size Key - Hash Key First").hexString
                == "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54")
    }

    @Test func hmacSHA1OfRFC2202() {
        #expect(Digest.hmac(.sha1, key: bytes(0x0B, 20), Array("Hi There".utf8)).hexString
                == "b617318655057264e28bc0b6fb378c8ef146be00")
        #expect(Digest.hmac(.sha1, key: Array("Jefe".utf8), Array("what do ya want for nothing?".utf8)).hexString
                == "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79")
        #expect(Digest.hmac(.sha1, key: bytes(0xAA, 20), bytes(0xDD, 50)).hexString
                == "125d7342b9ac11cd91a39af48aa17b4f63f175d3")
        #expect(Digest.hmac(.sha1, key: bytes(0xAA, 80), Array("Test Using Larger Than Block-Size Key - Hash Key First".utf8))
                    .hexString == "aa4ae5e15272d00e95705637ce8a3b55ed402112")
    }

    @Test func base64OfRFC4648() {
        #expect(Array("foobar".utf8).base64String == "Zm9vYmFy")
        #expect(Array("fo".utf8).base64String == "Zm8=")
    }
}
