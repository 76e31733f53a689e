import HeraldCore

/// How each provider wants to hear "received" and "not received".
struct ProviderAnswer {
    let provider: String

    var ok: EdgeResponse {
        switch provider {
        case "tencent": .json(200, #"{"result":0,"errmsg":"OK"}"#)
        case "aliyun": .json(200, #"{"code":0,"msg":"成功"}"#)
        default: .json(200, #"{"ok":true}"#)
        }
    }

    func failure(_ status: Int, _ message: String) -> EdgeResponse {
        let text = JSONOutput.string(message).rendered()
        return switch provider {
        case "tencent": .json(status, #"{"result":1,"errmsg":\#(text)}"#)
        case "aliyun": .json(status, #"{"code":1,"msg":\#(text)}"#)
        default: .json(status, #"{"error":\#(text)}"#)
        }
    }
}
