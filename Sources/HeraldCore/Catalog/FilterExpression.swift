/// A condition tree as trigger files write it (SPEC 2.1 audience, and an `event` trigger's
/// `where`): `{ all: [...] }`, `{ any: [...] }`, `{ not: {...} }`, and leaves
/// `{ field, eq | in | not_in | gt | gte | lt | lte | prefix | any | all: value }`.
public indirect enum FilterExpression: Sendable, Equatable {
    case all([FilterExpression])
    case any([FilterExpression])
    case not(FilterExpression)
    case condition(FilterCondition)

    /// Every field the tree reads.
    public var fields: Set<String> {
        switch self {
        case .all(let parts), .any(let parts): parts.reduce(into: []) { $0.formUnion($1.fields) }
        case .not(let inner): inner.fields
        case .condition(let condition): [condition.field]
        }
    }

    /// The only values `field` can have for the tree to hold, when the tree says so plainly (a
    /// condition `eq`/`in` on it, alone or among an `all`); nil when any value may pass.
    public func requiredValues(of field: String) -> Set<FilterScalar>? {
        switch self {
        case .condition(let condition) where condition.field == field && condition.measure == nil
            && (condition.op == .eq || condition.op == .in):
            return Set(condition.values)
        case .all(let parts):
            let sets = parts.compactMap { $0.requiredValues(of: field) }
            return sets.isEmpty ? nil : sets.dropFirst().reduce(sets[0]) { $0.intersection($1) }
        default:
            return nil
        }
    }

    /// Evaluates against a value lookup by `FilterCondition.key`; a field the member lacks fails every comparison
    /// except `not_in` (a member without a tier is not in the excluded tiers).
    public func matches(_ value: (String) -> FilterFieldValue?) -> Bool {
        switch self {
        case .all(let parts): parts.allSatisfy { $0.matches(value) }
        case .any(let parts): parts.contains { $0.matches(value) }
        case .not(let inner): !inner.matches(value)
        case .condition(let condition): condition.matches(value(condition.key))
        }
    }
}

/// A scalar in a filter: text or a number (money in yuan, ages and days as whole numbers).
public enum FilterScalar: Sendable, Hashable, CustomStringConvertible {
    case text(String)
    case number(Double)

    public var description: String {
        switch self {
        case .text(let text): "\"\(text)\""
        case .number(let number): number.rounded() == number ? String(Int64(number)) : String(number)
        }
    }
}

/// What a field holds for one member or event.
public enum FilterFieldValue: Sendable, Equatable {
    case text(String)
    case number(Double)
    /// A set of tags.
    case tags([String])
}

/// One leaf: `{ field: "tier", in: ["金卡", "钻卡"] }`.
public struct FilterCondition: Sendable, Equatable {
    public enum Operator: String, Sendable, CaseIterable {
        case eq, `in`, not_in, gt, gte, lt, lte, prefix, any, all

        /// Operators that take a list.
        public var takesList: Bool { [.in, .not_in, .any, .all].contains(self) }
        public var isOrdering: Bool { [.gt, .gte, .lt, .lte].contains(self) }
    }

    public var field: String
    public var op: Operator
    /// One element unless the operator takes a list.
    public var values: [FilterScalar]
    /// Set on a behavioural audience field (`purchases_in` with its window, `rfm.r`, …).
    public var measure: BehaviourMeasure?

    public init(field: String, op: Operator, values: [FilterScalar], measure: BehaviourMeasure? = nil) {
        self.field = field
        self.op = op
        self.values = values
        self.measure = measure
    }

    /// What the value lookup is asked for: the field, or the behavioural measure's key (two
    /// `purchases_in` conditions with different windows are different values).
    public var key: String { measure?.key ?? field }

    public func matches(_ value: FilterFieldValue?) -> Bool {
        guard let value else { return op == .not_in }
        switch value {
        case .tags(let tags):
            let wanted = values.compactMap { if case .text(let text) = $0 { text } else { nil } }
            switch op {
            case .eq: return wanted.first.map(tags.contains) ?? false
            case .in, .any: return wanted.contains(where: tags.contains)
            case .all: return wanted.allSatisfy(tags.contains)
            case .not_in: return !wanted.contains(where: tags.contains)
            case .prefix: return wanted.first.map { prefix in tags.contains { $0.hasPrefix(prefix) } } ?? false
            default: return false
            }
        case .text(let text):
            return compare(.text(text))
        case .number(let number):
            return compare(.number(number))
        }
    }

    private func compare(_ actual: FilterScalar) -> Bool {
        switch op {
        case .eq: return values.first == actual
        case .in, .any: return values.contains(actual)
        case .not_in: return !values.contains(actual)
        case .all: return values.allSatisfy { $0 == actual }
        case .prefix:
            if case .text(let text) = actual, case .text(let prefix)? = values.first { return text.hasPrefix(prefix) }
            return false
        case .gt, .gte, .lt, .lte:
            guard case .number(let number) = actual, case .number(let bound)? = values.first else { return false }
            switch op {
            case .gt: return number > bound
            case .gte: return number >= bound
            case .lt: return number < bound
            default: return number <= bound
            }
        }
    }
}
