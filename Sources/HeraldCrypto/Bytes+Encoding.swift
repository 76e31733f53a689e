import Foundation

extension [UInt8] {
    /// Lowercase hexadecimal, two digits a byte.
    public var hexString: String {
        // Written straight into the string's storage: signatures call this three times a request.
        String(unsafeUninitializedCapacity: count * 2) { buffer in
            let digits: StaticString = "0123456789abcdef"
            var index = 0
            for byte in self {
                buffer[index] = digits.utf8Start[Int(byte >> 4)]
                buffer[index + 1] = digits.utf8Start[Int(byte & 0x0F)]
                index += 2
            }
            return index
        }
    }

    /// Standard base64 with padding (RFC 4648 §4).
    public var base64String: String { Data(self).base64EncodedString() }
}
