import Foundation
import HeraldCore
import HeraldStore

/// E-mail unsubscribe (SPEC 8): `GET /u/<token>` shows a confirmation page, `POST /u/<token>`
/// (the page's button, or a mail provider's RFC 8058 one-click `List-Unsubscribe=One-Click`)
/// writes an `opt_out` email event for the member of the send with that token, committed
/// before the answer. The pages are zh-CN, static text without scripts, and echo nothing from
/// the request (the form posts to its own address).
extension EdgeRouter {
    func unsubscribe(_ request: EdgeRequest, answer: @escaping Answer) {
        let token = String(request.path.dropFirst(3))
        let invalid = Self.page(404, "链接无效", "这个退订链接无效或已过期。")
        let unavailable = Self.page(503, "请稍后再试", "暂时无法处理您的请求，请稍后再试。")
        guard ["GET", "HEAD", "POST"].contains(request.method) else {
            return answer(.methodNotAllowed("GET, HEAD, POST"))
        }
        guard SendCodes.isLinkToken(token) else { return answer(invalid) }
        let link: TrackedLink?
        do {
            link = try pool.with { try $0.trackedLink(token: token) }
        } catch {
            storeFailed(error)
            return answer(unavailable)
        }
        guard let link else { return answer(invalid) }
        guard request.method == "POST" else {
            let confirm = "确认后，您将不再收到我们的营销邮件（服务通知不受影响）。"
            return answer(Self.page(200, "退订营销邮件", confirm, form: "确认退订"))
        }
        writer.submit({ [clock] store, _ in
            try store.optOut(memberIDs: [link.memberID], channel: .email, at: clock.now(), source: "unsubscribe")
        }, done: { [self] result in
            if case .failure(let error) = result {
                storeFailed(error)
                return answer(unavailable)
            }
            counters.add("herald_edge_unsubscribes_total")
            log("serve.unsubscribed", ["channel": "email"])
            answer(Self.page(200, "已退订", "您已退订营销邮件。"))
        })
    }

    /// A whole page from fixed text: nothing from the request is written into it.
    private static func page(_ status: Int, _ title: String, _ message: String, form button: String? = nil)
        -> EdgeResponse {
        let form = button.map { #"<form method="post"><button type="submit">\#($0)</button></form>"# } ?? ""
        let html = """
            <!doctype html><html lang="zh-CN"><head><meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1"><title>\(title)</title>
            <style>body{font-family:sans-serif;max-width:32em;margin:3em auto;padding:0 1em}button{font-size:1em}</style>
            </head><body><h1>\(title)</h1><p>\(message)</p>\(form)</body></html>
            """
        let headers = ["Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-store",
                       "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'"]
        return EdgeResponse(status: status, headers: headers, body: Array(html.utf8))
    }
}
