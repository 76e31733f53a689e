import Foundation
import HeraldCore

/// Writes a deterministic member base and event stream, twice: as the files a customer
/// gives Herald (`members.csv`, `events.ndjson`) and as the rows Herald stores, laid out
/// for the `sqlite3` shell's `.import` (the baseline). Same seed, same files.
struct DataGenerator {
    let members: Int
    let events: Int
    let folder: String

    /// SplitMix64: tiny, fast, and the same sequence on every machine.
    struct Random {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        mutating func below(_ bound: Int) -> Int { Int(next() % UInt64(bound)) }
        mutating func pick<T>(_ items: [T]) -> T { items[below(items.count)] }
        mutating func chance(_ percent: Int) -> Bool { below(100) < percent }
    }

    static let surnames = ["王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴", "徐", "孙", "马", "朱", "胡"]
    static let givenNames = ["伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "洋", "艳", "勇", "军", "杰", "娟", "涛", "明", "超", "秀英"]
    static let tiers = ["普通", "银卡", "金卡", "钻卡"]
    static let regions = ["上海", "北京", "广州", "深圳", "杭州", "成都", "南京", "武汉", "西安", "苏州"]
    static let channels = ["app", "mini_program", "store", "web"]
    static let tagPool = ["母婴", "美妆", "高价值", "新客", "海外", "宠物", "运动", "学生"]
    static let zones = ["America/Los_Angeles", "Asia/Tokyo", "Europe/London"]
    static let categories = ["母婴", "美妆", "食品", "服饰", "数码", "家居"]
    static let shanghaiOffset = 8 * 3600
    /// 2026-01-01T00:00:00+08:00 and the span events fall in (about 320 days).
    static let eventsStart = 1_767_196_800
    static let eventsSpan = 320 * 86_400

    func write() throws {
        try writeMembers()
        try writeEvents()
    }

    private func path(_ name: String) -> String { folder + "/" + name }

    /// `YYYY-MM-DD HH:MM:SS` on Shanghai's wall clock: member files carry local times, so the
    /// import exercises the local-time path (events carry offsets, via `InstantFormatter`).
    private static func localText(_ utcSeconds: Int) -> String {
        let local = utcSeconds + shanghaiOffset
        let date = CivilDate(daysSinceEpoch: local / 86_400)
        let second = local % 86_400
        return "\(date) \(pad2(second / 3600)):\(pad2(second / 60 % 60)):\(pad2(second % 60))"
    }

    private static let shanghai = TimeZone(identifier: "Asia/Shanghai")!

    /// `"…"` with inner quotes doubled, as CSV wants.
    private static func csvQuoted(_ text: String) -> String {
        var bytes: [UInt8] = [UInt8(ascii: "\"")]
        bytes.reserveCapacity(text.utf8.count + 8)
        for byte in text.utf8 {
            bytes.append(byte)
            if byte == UInt8(ascii: "\"") { bytes.append(byte) }
        }
        bytes.append(UInt8(ascii: "\""))
        return String(decoding: bytes, as: UTF8.self)
    }

    private static func pad2(_ value: Int) -> String { String(value).leftPadded(to: 2) }

    static func memberID(_ index: Int) -> String { "M" + String(index + 1).leftPadded(to: 7) }

    private func writeMembers() throws {
        var random = Random(state: 42)
        let csv = try BufferedFile(path: path("members.csv"))
        let table = try BufferedFile(path: path("members.table.csv"))
        let tags = try BufferedFile(path: path("member_tags.table.csv"))
        let state = try BufferedFile(path: path("member_state.table.csv"))
        state.write(BaselineLoader.stateColumns.joined(separator: ",") + "\n")
        csv.write("id,name,phone,email,push_token,birthday,timezone,locale,tier,region,registration_channel,"
            + "registered_at,last_active_at,tags,stored_value,consent_sms,consent_push,consent_email\n")
        table.write(BaselineLoader.memberColumns.joined(separator: ",") + "\n")
        tags.write("member_key,tag\n")
        let consents = ["yes", "yes", "yes", "no", ""]
        for index in 0..<members {
            let key = index + 1
            let id = Self.memberID(index)
            let name = random.pick(Self.surnames) + random.pick(Self.givenNames)
            let phone = "1\(3 + random.below(7))\(String(100_000_000 + index % 900_000_000))"
            let email = random.chance(40) ? "m\(key)@example.cn" : ""
            let pushToken = random.chance(60) ? "ptk-\(String(random.next(), radix: 16))" : ""
            let month = 1 + random.below(12)
            let day = 1 + random.below(CivilDate.daysIn(month: month, year: 2001))
            let year: Int? = random.chance(95) ? 1960 + random.below(46) : nil
            let birthday = (year.map { String($0) } ?? "-") + "-" + Self.pad2(month) + "-" + Self.pad2(day)
            let zone = random.chance(5) ? random.pick(Self.zones) : ""
            let tier = random.pick(Self.tiers)
            let region = random.pick(Self.regions)
            let channel = random.pick(Self.channels)
            let registered = 1_577_808_000 + random.below(6 * 365 * 86_400)
            let lastActive: Int? = random.chance(80) ? registered + random.below(1_779_000_000 - registered) : nil
            var memberTags = Set<String>()
            for _ in 0..<random.below(4) { memberTags.insert(random.pick(Self.tagPool)) }
            let sortedTags = memberTags.sorted()
            let storedValue: Int? = random.chance(70) ? random.below(200_000) : nil
            let sms = random.pick(consents), push = random.pick(consents), mail = random.pick(consents)
            let storedText = storedValue.map { "\($0 / 100).\(Self.pad2($0 % 100))" } ?? ""

            csv.write("\(id),\(name),\(phone),\(email),\(pushToken),\(birthday),\(zone),zh-CN,\(tier),\(region),\(channel),"
                + "\(Self.localText(registered)),\(lastActive.map { Self.localText($0) } ?? ""),\(sortedTags.joined(separator: ";")),"
                + "\(storedText),\(sms),\(push),\(mail)\n")
            let lastActivity = max(registered, lastActive ?? registered)
            let row: [String] = [
                "\(key)", id, name, "+86" + phone, email, pushToken, year.map { String($0) } ?? "", "\(month)", "\(day)", zone,
                "zh-CN", tier, region, channel, "\(registered)", lastActive.map { String($0) } ?? "",
                sortedTags.joined(separator: ";"), sms, push, mail,
            ]
            table.write(row.joined(separator: ",") + "\n")
            let balance = storedValue.map { String($0) } ?? ""
            state.write("\(key),,\(lastActivity),\(balance),\(balance),,0\n")
            for tag in sortedTags { tags.write("\(key),\(tag)\n") }
        }
        csv.close()
        table.close()
        tags.close()
        state.close()
    }

    private func writeEvents() throws {
        var random = Random(state: 7)
        let ndjson = try BufferedFile(path: path("events.ndjson"))
        let table = try BufferedFile(path: path("events.table.csv"))
        table.write(BaselineLoader.eventColumns.joined(separator: ",") + "\n")
        // Points each member still has, so that spends are always covered (no warnings to print).
        var points = [Int32](repeating: 0, count: members)
        let ingestedAt = "1779240600"
        for index in 0..<events {
            let member = random.below(members)
            let memberID = Self.memberID(member)
            // Chronological, as an event export is: evenly spread over the span, a little jitter.
            let at = Self.eventsStart + Int(Double(index) / Double(events) * Double(Self.eventsSpan)) + random.below(3)
            let atText = InstantFormatter.string(from: Date(epochSeconds: Int64(at)), in: Self.shanghai)
            let explicitID = random.chance(50) ? "E\(index)" : nil
            var attributes = ""
            var amount = "", sku = "", category = ""
            let roll = random.below(100)
            let type: String
            switch roll {
            case 0..<28: type = "login"
            case 28..<55: type = "browse"
            case 55..<63: type = "search"
            case 63..<73:
                type = "cart_add"
                sku = "SKU-\(random.below(50_000))"
                category = random.pick(Self.categories)
                attributes = #","sku":"\#(sku)","category":"\#(category)""#
            case 73..<81:
                type = "purchase"
                let fen = 1_000 + random.below(100_000)
                amount = String(fen)
                sku = "SKU-\(random.below(50_000))"
                category = random.pick(Self.categories)
                attributes = #","amount":\#(fen / 100).\#(Self.pad2(fen % 100)),"sku":"\#(sku)","category":"\#(category)","order_id":"O\#(index)""#
            case 81..<85:
                type = "topup"
                let yuan = 100 * (1 + random.below(10))
                amount = String(yuan * 100)
                attributes = #","amount":\#(yuan),"bonus":\#(yuan / 10)"#
            case 85..<92:
                type = "points_earn"
                let earned = 100 + random.below(900)
                points[member] += Int32(earned)
                // Lots live six to eighteen months, so some are always about to expire.
                let expiry = InstantFormatter.string(from: Date(epochSeconds: Int64(at + (180 + random.below(360)) * 86_400)),
                                                     in: Self.shanghai)
                attributes = #","points":\#(earned),"expires_at":"\#(expiry)""#
            case 92..<96 where points[member] >= 2:
                type = "points_spend"
                let spent = 1 + random.below(Int(points[member]) / 2)
                points[member] -= Int32(spent)
                attributes = #","points":\#(spent)"#
            default:
                type = "favorite"
                sku = "SKU-\(random.below(50_000))"
                attributes = #","sku":"\#(sku)""#
            }
            let idPart = explicitID.map { #""id":"\#($0)","# } ?? ""
            let line = #"{\#(idPart)"member_id":"\#(memberID)","type":"\#(type)","at":"\#(atText)"\#(attributes)}"#
            ndjson.write(line + "\n")
            let id = explicitID ?? EventDecoder.derivedID(at: Date(timeIntervalSince1970: TimeInterval(at)), content: line.utf8)
            let payload = Self.csvQuoted(line)
            table.write("\(index + 1),\(id),\(member + 1),\(type),\(at),\(amount),\(sku),\(category),,\(payload),\(ingestedAt)\n")
        }
        ndjson.close()
        table.close()
    }
}
