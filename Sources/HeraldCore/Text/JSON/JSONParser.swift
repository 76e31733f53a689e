/// A recursive-descent parser for JSON (RFC 8259) and JSON5.
///
/// JSON5 adds what marketers' config files use: `//` and `/* */` comments, trailing
/// commas, unquoted identifier keys, single-quoted strings, `\`-newline continuations,
/// hexadecimal numbers, leading `+`, leading or trailing decimal points, `Infinity` and
/// `NaN`. Duplicate keys in one object are an error in both dialects (the later one would
/// silently win). Nesting is capped at 256 levels so hostile input cannot exhaust the stack.
public struct JSONParser {
    public enum Dialect: Sendable {
        case json
        case json5
    }

    public static func parse(_ text: String, dialect: Dialect) throws(JSONSyntaxError) -> JSONValue {
        var text = text
        let result = text.withUTF8 { bytes in Result { () throws(JSONSyntaxError) in try parse(bytes: bytes, dialect: dialect) } }
        return try result.get()
    }

    public static func parse(bytes: UnsafeBufferPointer<UInt8>, dialect: Dialect) throws(JSONSyntaxError) -> JSONValue {
        var parser = JSONParser(bytes: bytes, dialect: dialect)
        try parser.skipSpace()
        let value = try parser.parseValue(depth: 0)
        try parser.skipSpace()
        if parser.index < bytes.count {
            throw parser.error("expected the end of the input, found \(parser.describeCurrent())")
        }
        return value
    }

    private let bytes: UnsafeBufferPointer<UInt8>
    private let isJSON5: Bool
    private var index = 0
    private var line = 1
    private var lineStart = 0
    /// Column bookkeeping: positions are requested in increasing order, so counting
    /// characters resumes from the last request instead of the start of the line.
    private var columnCursor = (offset: 0, column: 1)

    private init(bytes: UnsafeBufferPointer<UInt8>, dialect: Dialect) {
        self.bytes = bytes
        self.isJSON5 = dialect == .json5
    }

    // MARK: Values

    private mutating func parseValue(depth: Int) throws(JSONSyntaxError) -> JSONValue {
        guard depth < 256 else { throw error("nesting deeper than 256 levels") }
        let position = currentPosition()
        guard index < bytes.count else { throw error("expected a value, found the end of the input") }
        switch bytes[index] {
        case UInt8(ascii: "{"): return JSONValue(try parseObject(depth: depth), at: position)
        case UInt8(ascii: "["): return JSONValue(try parseArray(depth: depth), at: position)
        case UInt8(ascii: "\""): return JSONValue(.string(try parseString()), at: position)
        case UInt8(ascii: "'") where isJSON5: return JSONValue(.string(try parseString()), at: position)
        case UInt8(ascii: "t"):
            try expectWord("true")
            return JSONValue(.bool(true), at: position)
        case UInt8(ascii: "f"):
            try expectWord("false")
            return JSONValue(.bool(false), at: position)
        case UInt8(ascii: "n"):
            try expectWord("null")
            return JSONValue(.null, at: position)
        default:
            return JSONValue(.number(try parseNumber()), at: position)
        }
    }

    private mutating func parseObject(depth: Int) throws(JSONSyntaxError) -> JSONValue.Kind {
        index += 1
        var members: [JSONMember] = []
        try skipSpace()
        while true {
            guard index < bytes.count else { throw error("expected a key or '}', found the end of the input") }
            if bytes[index] == UInt8(ascii: "}") {
                if !members.isEmpty && !isJSON5 { throw error("expected a key after ',', found '}' (trailing commas are JSON5 only)") }
                index += 1
                return .object(members)
            }
            let keyPosition = currentPosition()
            let key = try parseKey()
            if members.contains(where: { $0.key == key }) {
                throw JSONSyntaxError(position: keyPosition, message: "duplicate key '\(key)'")
            }
            try skipSpace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else {
                throw error("expected ':' after the key '\(key)', found \(describeCurrent())")
            }
            index += 1
            try skipSpace()
            let value = try parseValue(depth: depth + 1)
            members.append(JSONMember(key: key, keyPosition: keyPosition, value: value))
            try skipSpace()
            guard index < bytes.count else { throw error("expected ',' or '}', found the end of the input") }
            if bytes[index] == UInt8(ascii: ",") {
                index += 1
                try skipSpace()
                continue
            }
            guard bytes[index] == UInt8(ascii: "}") else { throw error("expected ',' or '}', found \(describeCurrent())") }
            index += 1
            return .object(members)
        }
    }

    private mutating func parseArray(depth: Int) throws(JSONSyntaxError) -> JSONValue.Kind {
        index += 1
        var elements: [JSONValue] = []
        try skipSpace()
        while true {
            guard index < bytes.count else { throw error("expected a value or ']', found the end of the input") }
            if bytes[index] == UInt8(ascii: "]") {
                if !elements.isEmpty && !isJSON5 { throw error("expected a value after ',', found ']' (trailing commas are JSON5 only)") }
                index += 1
                return .array(elements)
            }
            elements.append(try parseValue(depth: depth + 1))
            try skipSpace()
            guard index < bytes.count else { throw error("expected ',' or ']', found the end of the input") }
            if bytes[index] == UInt8(ascii: ",") {
                index += 1
                try skipSpace()
                continue
            }
            guard bytes[index] == UInt8(ascii: "]") else { throw error("expected ',' or ']', found \(describeCurrent())") }
            index += 1
            return .array(elements)
        }
    }

    private mutating func parseKey() throws(JSONSyntaxError) -> String {
        let byte = bytes[index]
        if byte == UInt8(ascii: "\"") || (isJSON5 && byte == UInt8(ascii: "'")) { return try parseString() }
        guard isJSON5, Self.isIdentifierStart(byte) else {
            throw error("expected a key in double quotes, found \(describeCurrent())")
        }
        let start = index
        while index < bytes.count, Self.isIdentifierStart(bytes[index]) || (bytes[index] >= 0x30 && bytes[index] <= 0x39) {
            index += 1
        }
        guard let key = String(validating: bytes[start..<index], as: UTF8.self) else { throw error("invalid UTF-8 in a key") }
        return key
    }

    private static func isIdentifierStart(_ byte: UInt8) -> Bool {
        (byte >= 0x61 && byte <= 0x7A) || (byte >= 0x41 && byte <= 0x5A) || byte == UInt8(ascii: "_")
            || byte == UInt8(ascii: "$") || byte >= 0x80
    }

    private mutating func expectWord(_ word: StaticString) throws(JSONSyntaxError) {
        let count = word.utf8CodeUnitCount
        let matches = index + count <= bytes.count
            && (0..<count).allSatisfy { bytes[index + $0] == word.utf8Start[$0] }
        guard matches else { throw error("expected a value, found \(describeCurrent())") }
        index += count
    }

    // MARK: Strings

    private mutating func parseString() throws(JSONSyntaxError) -> String {
        let quote = bytes[index]
        index += 1
        let start = index
        // Fast path: no escapes, no line continuations.
        while index < bytes.count {
            let byte = bytes[index]
            if byte == quote {
                guard let text = String(validating: bytes[start..<index], as: UTF8.self) else {
                    throw error("invalid UTF-8 in a string")
                }
                index += 1
                return text
            }
            if byte == UInt8(ascii: "\\") { break }
            if byte < 0x20 { throw error("a control character (0x\(String(byte, radix: 16))) inside a string; write it escaped") }
            index += 1
        }
        var scratch = Array(bytes[start..<index])
        while index < bytes.count {
            let byte = bytes[index]
            if byte == quote {
                index += 1
                guard let text = String(validating: scratch, as: UTF8.self) else { throw error("invalid UTF-8 in a string") }
                return text
            }
            if byte < 0x20 { throw error("a control character (0x\(String(byte, radix: 16))) inside a string; write it escaped") }
            if byte != UInt8(ascii: "\\") {
                scratch.append(byte)
                index += 1
                continue
            }
            index += 1
            guard index < bytes.count else { break }
            let escaped = bytes[index]
            index += 1
            switch escaped {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): scratch.append(escaped)
            case UInt8(ascii: "'") where isJSON5: scratch.append(escaped)
            case UInt8(ascii: "b"): scratch.append(0x08)
            case UInt8(ascii: "f"): scratch.append(0x0C)
            case UInt8(ascii: "n"): scratch.append(0x0A)
            case UInt8(ascii: "r"): scratch.append(0x0D)
            case UInt8(ascii: "t"): scratch.append(0x09)
            case UInt8(ascii: "v") where isJSON5: scratch.append(0x0B)
            case UInt8(ascii: "0") where isJSON5: scratch.append(0x00)
            case 0x0A where isJSON5:
                line += 1
                lineStart = index
            case 0x0D where isJSON5:
                if index < bytes.count, bytes[index] == 0x0A { index += 1 }
                line += 1
                lineStart = index
            case UInt8(ascii: "u"):
                var scalar = try hexDigits(4)
                if (0xD800..<0xDC00).contains(scalar) {
                    guard index + 1 < bytes.count, bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u")
                    else { throw error("a high surrogate \\u escape without its low surrogate") }
                    index += 2
                    let low = try hexDigits(4)
                    guard (0xDC00..<0xE000).contains(low) else { throw error("an invalid low surrogate in a \\u escape") }
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                }
                guard let unicode = Unicode.Scalar(scalar) else { throw error("a \\u escape that is not a Unicode scalar") }
                scratch.append(contentsOf: Array(String(Character(unicode)).utf8))
            case UInt8(ascii: "x") where isJSON5:
                scratch.append(contentsOf: Array(String(Character(Unicode.Scalar(UInt8(try hexDigits(2))))).utf8))
            default:
                index -= 1
                throw error("an unknown escape '\\\(describeCurrent())' in a string")
            }
        }
        throw error("a string is not closed before the end of the input")
    }

    private mutating func hexDigits(_ count: Int) throws(JSONSyntaxError) -> UInt32 {
        guard index + count <= bytes.count else { throw error("expected \(count) hexadecimal digits") }
        var value: UInt32 = 0
        for _ in 0..<count {
            guard let digit = Self.hexValue(bytes[index]) else { throw error("expected a hexadecimal digit, found \(describeCurrent())") }
            value = value << 4 | UInt32(digit)
            index += 1
        }
        return value
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case 0x30...0x39: byte - 0x30
        case 0x61...0x66: byte - 0x61 + 10
        case 0x41...0x46: byte - 0x41 + 10
        default: nil
        }
    }

    // MARK: Numbers

    private mutating func parseNumber() throws(JSONSyntaxError) -> String {
        let start = index
        if bytes[index] == UInt8(ascii: "-") || (isJSON5 && bytes[index] == UInt8(ascii: "+")) { index += 1 }
        if isJSON5, let word = ["Infinity", "NaN"].first(where: { matches($0) }) {
            index += word.utf8.count
            return String(decoding: bytes[start..<index], as: UTF8.self)
        }
        if isJSON5, index + 1 < bytes.count, bytes[index] == UInt8(ascii: "0"),
           bytes[index + 1] == UInt8(ascii: "x") || bytes[index + 1] == UInt8(ascii: "X") {
            index += 2
            let digitsStart = index
            while index < bytes.count, Self.hexValue(bytes[index]) != nil { index += 1 }
            guard index > digitsStart else { throw error("expected hexadecimal digits after 0x") }
            return String(decoding: bytes[start..<index], as: UTF8.self)
        }
        let integerDigits = countDigits()
        if !isJSON5 {
            guard integerDigits > 0 else { throw error("expected a value, found \(describeCurrent())") }
            if integerDigits > 1, bytes[index - integerDigits] == UInt8(ascii: "0") {
                throw error("a number with a leading zero")
            }
        }
        var fractionDigits = 0
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            index += 1
            fractionDigits = countDigits()
            if fractionDigits == 0 && (!isJSON5 || integerDigits == 0) { throw error("expected digits after the decimal point") }
        }
        guard integerDigits + fractionDigits > 0 else { throw error("expected a value, found \(describeCurrent())") }
        if index < bytes.count, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
            index += 1
            if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") { index += 1 }
            guard countDigits() > 0 else { throw error("expected digits in the exponent") }
        }
        return String(decoding: bytes[start..<index], as: UTF8.self)
    }

    private mutating func countDigits() -> Int {
        let start = index
        while index < bytes.count, bytes[index] >= 0x30, bytes[index] <= 0x39 { index += 1 }
        return index - start
    }

    private func matches(_ word: String) -> Bool {
        var offset = index
        for byte in word.utf8 {
            guard offset < bytes.count, bytes[offset] == byte else { return false }
            offset += 1
        }
        return true
    }

    // MARK: Space, comments, positions

    private mutating func skipSpace() throws(JSONSyntaxError) {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x09, 0x0D:
                index += 1
            case 0x0A:
                index += 1
                line += 1
                lineStart = index
            case UInt8(ascii: "/") where isJSON5 && index + 1 < bytes.count && bytes[index + 1] == UInt8(ascii: "/"):
                while index < bytes.count, bytes[index] != 0x0A { index += 1 }
            case UInt8(ascii: "/") where isJSON5 && index + 1 < bytes.count && bytes[index + 1] == UInt8(ascii: "*"):
                let opening = currentPosition()
                index += 2
                while true {
                    guard index + 1 < bytes.count else {
                        throw JSONSyntaxError(position: opening, message: "a /* comment is not closed")
                    }
                    if bytes[index] == UInt8(ascii: "*"), bytes[index + 1] == UInt8(ascii: "/") {
                        index += 2
                        break
                    }
                    if bytes[index] == 0x0A {
                        line += 1
                        lineStart = index + 1
                    }
                    index += 1
                }
            case 0xEF where isJSON5 && index == 0 && bytes.count >= 3 && bytes[1] == 0xBB && bytes[2] == 0xBF:
                index += 3
            default:
                return
            }
        }
    }

    private mutating func currentPosition() -> SourcePosition {
        if columnCursor.offset < lineStart || columnCursor.offset > index {
            columnCursor = (lineStart, 1)
        }
        var column = columnCursor.column
        var offset = columnCursor.offset
        while offset < index {
            if bytes[offset] & 0xC0 != 0x80 { column += 1 }
            offset += 1
        }
        columnCursor = (index, column)
        return SourcePosition(line: line, column: column)
    }

    private func describeCurrent() -> String {
        guard index < bytes.count else { return "the end of the input" }
        let byte = bytes[index]
        if byte >= 0x20 && byte < 0x7F { return "'\(Character(Unicode.Scalar(byte)))'" }
        var end = index + 1
        while end < bytes.count, bytes[end] & 0xC0 == 0x80 { end += 1 }
        if let text = String(validating: bytes[index..<end], as: UTF8.self), byte >= 0x80 { return "'\(text)'" }
        return "byte 0x\(String(byte, radix: 16))"
    }

    private mutating func error(_ message: String) -> JSONSyntaxError {
        JSONSyntaxError(position: currentPosition(), message: message)
    }
}
