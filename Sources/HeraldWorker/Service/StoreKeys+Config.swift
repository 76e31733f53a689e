import HeraldCore
import HeraldDelivery
import HeraldStore

extension StoreKeys {
    /// The keys `setting` names, secrets substituted (`$CREDENTIALS_DIRECTORY/NAME` or the
    /// environment) and decoded; `.none` without a setting. Errors point at the setting's line.
    public init(resolving setting: StoreKeySetting?, secrets: SecretSource = .system) throws {
        guard let setting else {
            self = .none
            return
        }
        func decode(_ text: StoreKeySetting.Text, _ name: String) throws -> [UInt8] {
            let value = try secrets.substitute(in: text.text) { text.problem("\(name): \($0)") }
            do {
                return try StoreKeys.decode(value, setting: name)
            } catch let error as StoreKeys.KeyTextError {
                throw text.problem(error.description)
            }
        }
        self.init(current: try decode(setting.key, "store.key"),
                  previous: try setting.previousKey.map { try decode($0, "store.previous_key") })
    }
}

extension StoreFactory {
    /// The store `config` names, opened with its keys.
    public static func open(_ config: HeraldConfig, access: Access = .readWrite,
                            secrets: SecretSource = .system) throws -> any MemberStore {
        try open(config.store, keys: StoreKeys(resolving: config.storeKey, secrets: secrets), access: access)
    }
}
