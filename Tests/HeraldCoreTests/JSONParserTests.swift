import Testing
@testable import HeraldCore

@Suite struct JSONParserTests {
    @Test func strictJSONObjectKeepsOrderAndPositions() throws {
        let value = try JSONParser.parse(#"{"b": 1, "a": [true, null, "x"], "c": -2.5e3}"#, dialect: .json)
        #expect(value.members?.map(\.key) == ["b", "a", "c"])
        #expect(value["c"]?.kind == .number("-2.5e3"))
        #expect(value["a"]?.kind == .array([JSONValue(.bool(true), at: .init(line: 1, column: 16)),
                                            JSONValue(.null, at: .init(line: 1, column: 22)),
                                            JSONValue(.string("x"), at: .init(line: 1, column: 28))]))
    }

    @Test func escapesAndSurrogatePairs() throws {
        let value = try JSONParser.parse(#""a\"b\\c\n\u4e2d\ud83d\ude00""#, dialect: .json)
        #expect(value.stringValue == "a\"b\\c\n中😀")
    }

    @Test func json5Extensions() throws {
        let text = """
            // comment
            {
              id: 'birthday',        /* block */
              weight: +.5,
              hex: 0x1F,
              list: [1, 2,],
              "quoted": "a\\
            b",
            }
            """
        let value = try JSONParser.parse(text, dialect: .json5)
        #expect(value.members?.map(\.key) == ["id", "weight", "hex", "list", "quoted"])
        #expect(value["id"]?.stringValue == "birthday")
        #expect(value["weight"]?.kind == .number("+.5"))
        #expect(value["hex"]?.kind == .number("0x1F"))
        #expect(value["quoted"]?.stringValue == "ab")
        #expect(value["weight"]?.position == SourcePosition(line: 4, column: 11))
    }

    @Test(arguments: [
        (#"{"a": 1,}"#, "1:9", "trailing commas are JSON5 only"),
        ("{a: 1}", "1:2", "expected a key in double quotes"),
        (#"{"a": 1 "b": 2}"#, "1:9", "expected ',' or '}'"),
        (#"{"a": 01}"#, "1:9", "leading zero"),
        (#"{"a": "x"#, "1:9", "not closed"),
        (#"{"a": 1, "a": 2}"#, "1:10", "duplicate key 'a'"),
        (#"{"名": x}"#, "1:7", "expected a value, found 'x'"),
        ("[1] 2", "1:5", "expected the end of the input"),
    ])
    func strictErrorsSayWhereAndWhat(text: String, position: String, message: String) throws {
        do {
            _ = try JSONParser.parse(text, dialect: .json)
            Issue.record("expected an error for \(text)")
        } catch {
            #expect(error.position.description == position)
            #expect(error.message.contains(message), "\(error.message)")
        }
    }

    @Test func unclosedCommentPointsAtItsStart() throws {
        #expect(throws: JSONSyntaxError(position: .init(line: 2, column: 3), message: "a /* comment is not closed")) {
            try JSONParser.parse("{\n  /* never\n closed", dialect: .json5)
        }
    }

    @Test func deepNestingIsAnErrorNotACrash() throws {
        let text = String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000)
        #expect(throws: JSONSyntaxError.self) { try JSONParser.parse(text, dialect: .json) }
    }

    @Test func outputKeepsKeyOrderAndEscapes() {
        let output = JSONOutput.object([("z", "名\n\"q\""), ("a", .array([.integer(1), .null, .bool(true)]))])
        #expect(output.rendered() == #"{"z": "名\n\"q\"", "a": [1, null, true]}"#)
        #expect(output.rendered(pretty: true) == "{\n  \"z\": \"名\\n\\\"q\\\"\",\n  \"a\": [\n    1,\n    null,\n    true\n  ]\n}")
    }
}
