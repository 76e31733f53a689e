import Testing
import HeraldCore

@Suite struct OptOutReplyTests {
    @Test(arguments: ["T", "t", "TD", "td", "N", "R", "0000", "退订", "Ｔ", "ＴＤ", "ｔｄ", "００００",
                      " T ", "T。", "T 谢谢", "TD!", "我要退订", "退订谢谢", "\u{3000}N\u{3000}", "回T", "回复TD", "回 T", "怎么退订？"])
    func optOuts(_ text: String) {
        #expect(OptOutReply.isOptOut(text), "\(text)")
    }

    @Test func theMatchedKeywordIsWhatIsKeptNotTheReply() {
        #expect(OptOutReply.keyword(in: "ｔｄ 谢谢") == "TD")
        #expect(OptOutReply.keyword(in: "回复T") == "T")
        #expect(OptOutReply.keyword(in: "退订 13800138000") == "退订")
        #expect(OptOutReply.keyword(in: "好的") == nil)
    }

    @Test(arguments: ["", "好的", "Test", "No problem", "Thanks", "RT", "1234", "谢谢", "TT", "订阅", "回复", "回TEST"])
    func notOptOuts(_ text: String) {
        #expect(!OptOutReply.isOptOut(text), "\(text)")
    }
}
