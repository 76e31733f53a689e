import Foundation

/// Reads one trigger file (SPEC 1.2) into a `Trigger`, reporting every problem with
/// file:line:column. Cross-file checks (channels, templates, ids) are the catalog's.
enum TriggerLoader {
    static let keys = ["id", "name", "enabled", "kind", "params", "audience", "channels", "template", "window", "category",
                       "priority", "cooldown", "holdout", "variants", "offer", "expire", "attribution", "deliver", "goal"]

    static func load(path: String, segments: [String: FilterExpression] = [:], log: DiagnosticLog) -> Trigger? {
        guard let text = SourceFile.read(path, what: "trigger file", log: log),
              let root = SourceFile.parseJSON5(text, path: path, log: log),
              let file = JSONObjectReader(root, file: path, allowedKeys: keys, log: log)
        else { return nil }
        file.finish()
        let problemsBefore = log.count

        let id = file.string("id", required: true)
        if let id, !isValidID(id) {
            file.expected("id", "lowercase letters, digits, '_' or '-' ([a-z0-9_-]+)", found: file["id"]!)
        }
        let kindName = file.string("kind", required: true)
        var kind: TriggerKind?
        if let kindName {
            if let definition = TriggerKind.definitions.first(where: { $0.name == kindName }) {
                kind = readKind(definition, params: file["params"], file: file)
            } else {
                file.expected("kind", oneOf: TriggerKind.names, found: file["kind"]!)
            }
        }
        let channels = file.strings("channels", required: true, nonEmpty: true)
        let template = file.string("template", required: true)
        var category = Trigger.Category.marketing
        if let name = file.string("category") {
            if let known = Trigger.Category(rawValue: name) { category = known }
            else { file.expected("category", "marketing or service", found: file["category"]!) }
        }
        // Missing essentials still let the rest of the file be checked; the trigger is dropped at the end.
        var trigger = Trigger(id: id ?? "", name: file.string("name") ?? id ?? "",
                              kind: kind ?? .birthday(BirthdayKind()),
                              channels: channels ?? [], template: template ?? "", category: category, sourcePath: path)
        for key in file.keys { trigger.positions[key] = file[key]?.position }
        trigger.enabled = file.bool("enabled") ?? true
        trigger.priority = file.integer("priority", in: SettingRange.priority) ?? 0
        if let deliver = file.string("deliver") {
            if let mode = Trigger.Delivery(rawValue: deliver) { trigger.deliver = mode }
            else { file.expected("deliver", "\"first\" or \"all\"", found: file["deliver"]!) }
        }
        trigger.cooldown = file.timeSpan("cooldown", in: SettingRange.cooldown)
        trigger.expire = file.timeSpan("expire", in: SettingRange.expire)
        trigger.attribution = file.timeSpan("attribution", in: SettingRange.attribution)
        // Any number is read so that the message can say what a share is; the check is below.
        if let share = file.number("holdout", in: -Double.greatestFiniteMagnitude...Double.greatestFiniteMagnitude) {
            if (0..<1).contains(share) { trigger.holdout = share }
            else { file.problem(at: file["holdout"]!.position, "holdout: expected a share from 0 up to (not including) 1, such as 0.1, found \(share)") }
        }
        if let audience = file["audience"] {
            trigger.audience = FilterParser.audience(file: path, log: log, segments: SegmentTable(resolved: segments))
                .parse(audience, path: "audience")
        }
        if let window = file.object("window", allowedKeys: ["hours", "days"]) {
            window.finish()
            for text in window.strings("hours", nonEmpty: true) ?? [] {
                if let range = LocalTimeRange(text) { trigger.window.hours.append(range) }
                else { window.expected("hours", LocalTimeRange.expectation(for: text), found: JSONValue(.string(text), at: window["hours"]!.position)) }
            }
            for text in window.strings("days", nonEmpty: true) ?? [] {
                if let day = SendWindow.Weekday(rawValue: text) { trigger.window.days.insert(day) }
                else { window.expected("days", "mon, tue, wed, thu, fri, sat or sun", found: JSONValue(.string(text), at: window["days"]!.position)) }
            }
        }
        for item in file.array("variants") ?? [] {
            guard let entry = JSONObjectReader(item, file: path, path: "variants[]", allowedKeys: ["id", "template", "weight"], log: log)
            else { continue }
            entry.finish()
            guard let variantID = entry.string("id", required: true), let variantTemplate = entry.string("template", required: true),
                  let weight = entry.number("weight", required: true, in: SettingRange.variantWeight)
            else { continue }
            if trigger.variants.contains(where: { $0.id == variantID }) {
                entry.problem(at: entry["id"]!.position, "variants[].id: '\(variantID)' is used twice")
            }
            trigger.variants.append(Trigger.Variant(id: variantID, template: variantTemplate, weight: weight))
        }
        if let goal = file.object("goal", allowedKeys: ["event", "where", "within"]) {
            trigger.goal = TriggerGoal.read(goal)
        }
        if let offer = file.object("offer", allowedKeys: ["code_prefix", "title", "valid_days", "issuer"]) {
            offer.finish()
            let issuer = readIssuer(of: offer, path: path)
            if let prefix = offer.string("code_prefix", required: true), let title = offer.string("title", required: true),
               let days = offer.integer("valid_days", required: true, in: SettingRange.offerValidDays) {
                if prefix.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber) }) && (1...12).contains(prefix.count) {
                    trigger.offer = Trigger.Offer(codePrefix: prefix, title: title, validDays: days, issuer: issuer)
                } else {
                    offer.expected("code_prefix", "1 to 12 ASCII letters or digits, such as \"BD\"", found: offer["code_prefix"]!)
                }
            }
        }
        return log.count == problemsBefore ? trigger : nil
    }

    /// `offer.issuer`: a `coupon_issuers` name, or an entry written here (adapter `http`
    /// unless it says otherwise; its own keys are the adapter's to check).
    private static func readIssuer(of offer: JSONObjectReader, path: String) -> Trigger.Offer.Issuer? {
        guard let value = offer["issuer"] else { return nil }
        switch value.kind {
        case .string(let name):
            return .named(name)
        case .object:
            let folder = URL(fileURLWithPath: path).deletingLastPathComponent().path
            guard var entry = ConfigLoader.readProvider(named: "issuer", value, in: offer, isInline: true, folder: folder,
                                                        defaultAdapter: "http") else { return nil }
            entry.settingName = "offer.issuer"
            return .inline(entry)
        default:
            offer.expected("issuer", "the name of a coupon_issuers entry, such as \"crm\", or an entry such as "
                               + "{ url: \"https://crm.example.cn/coupons\" }", found: value)
            return nil
        }
    }

    static func isValidID(_ id: String) -> Bool {
        !id.isEmpty && id.unicodeScalars.allSatisfy { ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "_" || $0 == "-" }
    }

    private static func readKind(_ definition: any TriggerKindDefinition.Type, params value: JSONValue?,
                                 file: JSONObjectReader) -> TriggerKind? {
        let empty = JSONValue(.object([]), at: file.keyPosition("kind"))
        guard let params = JSONObjectReader(value ?? empty, file: file.file, path: "params",
                                            allowedKeys: definition.paramKeys, log: file.log)
        else { return nil }
        params.finish()
        return definition.read(params, file: file)?.triggerKind
    }
}
