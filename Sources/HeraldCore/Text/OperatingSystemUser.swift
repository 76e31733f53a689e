import Foundation

/// Who runs this process, for what it records as the actor when no `--actor` is given (the
/// audit log): the user `sudo` was run by, else the effective user.
public enum OperatingSystemUser {
    public static var name: String {
        if let invoker = ProcessInfo.processInfo.environment["SUDO_USER"], !invoker.isEmpty { return invoker }
        guard let entry = getpwuid(geteuid()), let name = entry.pointee.pw_name else { return "uid \(geteuid())" }
        return String(cString: name)
    }
}
