import Foundation

/// Reads one trigger file (SPEC 1.2) into a `Trigger`, reporting every problem with
/// file:line:column. Cross-file checks (channels, templates, ids) are the catalog's.
enum TriggerLoader {
    static let keys = ["id", "name", "enabled", "kind", "params", "audience", "channels", "template", "window", "category",
                       "priority", "cooldown", "holdout", "variants", "offer", "expire", "attribution"]

    static func load(path: String, log: DiagnosticLog) -> Trigger? {
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
            if TriggerKind.names.contains(kindName) {
                kind = readKind(kindName, params: file["params"], file: file)
            } else {
                file.expected("kind", "one of \(TriggerKind.names.joined(separator: ", "))", found: file["kind"]!)
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
        var trigger = Trigger(id: id ?? "", name: file.string("name") ?? id ?? "", kind: kind ?? .birthday(daysBefore: 0),
                              channels: channels ?? [], template: template ?? "", category: category, sourcePath: path)
        for key in file.keys { trigger.positions[key] = file[key]?.position }
        trigger.enabled = file.bool("enabled") ?? true
        trigger.priority = file.integer("priority", in: SettingRange.priority) ?? 0
        trigger.cooldown = file.timeSpan("cooldown", in: SettingRange.cooldown)
        trigger.expire = file.timeSpan("expire", in: SettingRange.expire)
        trigger.attribution = file.timeSpan("attribution", in: SettingRange.attribution)
        // Any number is read so that the message can say what a share is; the check is below.
        if let share = file.number("holdout", in: -Double.greatestFiniteMagnitude...Double.greatestFiniteMagnitude) {
            if (0..<1).contains(share) { trigger.holdout = share }
            else { file.problem(at: file["holdout"]!.position, "holdout: expected a share from 0 up to (not including) 1, such as 0.1, found \(share)") }
        }
        if let audience = file["audience"] {
            trigger.audience = FilterParser(fields: FilterParser.audienceFields, file: path, log: log).parse(audience, path: "audience")
        }
        if let window = file.object("window", allowedKeys: ["hours", "days"]) {
            window.finish()
            for text in window.strings("hours", nonEmpty: true) ?? [] {
                if let range = LocalTimeRange(text) { trigger.window.hours.append(range) }
                else { window.expected("hours", LocalTimeRange.expectedFormat, found: JSONValue(.string(text), at: window["hours"]!.position)) }
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
        if let offer = file.object("offer", allowedKeys: ["code_prefix", "title", "valid_days"]) {
            offer.finish()
            if let prefix = offer.string("code_prefix", required: true), let title = offer.string("title", required: true),
               let days = offer.integer("valid_days", required: true, in: SettingRange.offerValidDays) {
                if prefix.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber) }) && (1...12).contains(prefix.count) {
                    trigger.offer = Trigger.Offer(codePrefix: prefix, title: title, validDays: days)
                } else {
                    offer.expected("code_prefix", "1 to 12 ASCII letters or digits, such as \"BD\"", found: offer["code_prefix"]!)
                }
            }
        }
        return log.count == problemsBefore ? trigger : nil
    }

    static func isValidID(_ id: String) -> Bool {
        !id.isEmpty && id.unicodeScalars.allSatisfy { ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "_" || $0 == "-" }
    }

    private static func readKind(_ name: String, params value: JSONValue?, file: JSONObjectReader) -> TriggerKind? {
        let allowed: [String] = switch name {
        case "birthday": ["days_before"]
        case "inactivity": ["days", "max_days", "activity_events"]
        case "cart_abandonment": ["after", "within", "categories"]
        case "low_balance": ["below"]
        case "points_expiry": ["within_days", "min_points"]
        default: ["event", "where", "delay", "within"]
        }
        let empty = JSONValue(.object([]), at: file.keyPosition("kind"))
        guard let params = JSONObjectReader(value ?? empty, file: file.file, path: "params", allowedKeys: allowed, log: file.log)
        else { return nil }
        params.finish()
        switch name {
        case "birthday":
            return .birthday(daysBefore: params.integer("days_before", in: SettingRange.daysBefore) ?? 0)
        case "inactivity":
            let days = params.integer("days", required: true, in: SettingRange.inactiveDays)
            let maxDays = params.integer("max_days", in: SettingRange.inactiveDays)
            let activityEvents = params.strings("activity_events") ?? []
            guard let days else { return nil }
            if let maxDays, maxDays <= days {
                params.problem(at: params["max_days"]!.position, "params.max_days: expected more than days (\(days)), found \(maxDays)")
                return nil
            }
            return .inactivity(days: days, maxDays: maxDays, activityEvents: activityEvents)
        case "cart_abandonment":
            let after = params.timeSpan("after", in: SettingRange.eventDelay) ?? TimeSpan(seconds: 2 * 3600)
            let within = params.timeSpan("within", in: SettingRange.eventWithin) ?? TimeSpan(seconds: 72 * 3600)
            if within <= after {
                params.problem(at: params.position, "params: within (\(within)) must be longer than after (\(after))")
                return nil
            }
            return .cartAbandonment(after: after, within: within, categories: params.strings("categories") ?? [])
        case "low_balance":
            guard let value = params["below"] else {
                params.missing("below", "an amount in yuan such as 200")
                return nil
            }
            guard case .number(let text) = value.kind, let below = Money(yuan: text),
                  SettingRange.balanceBelowYuan.contains(Double(below.fen) / 100) else {
                params.expected("below", "an amount in yuan from 0.01 to 100000000 such as 200", found: value)
                return nil
            }
            return .lowBalance(below: below)
        case "points_expiry":
            return .pointsExpiry(withinDays: params.integer("within_days", in: SettingRange.withinDays) ?? 30,
                                 minPoints: params.integer("min_points", in: SettingRange.minPoints) ?? 1)
        default:
            guard let type = params.string("event", required: true) else { return nil }
            let filter = params["where"].flatMap {
                FilterParser(fields: nil, file: file.file, log: file.log).parse($0, path: "params.where")
            }
            if params["where"] != nil && filter == nil { return nil }
            return .event(type: type, filter: filter,
                          delay: params.timeSpan("delay", in: SettingRange.eventDelay) ?? TimeSpan(seconds: 0),
                          within: params.timeSpan("within", in: SettingRange.eventWithin) ?? TimeSpan(seconds: 86_400))
        }
    }
}
