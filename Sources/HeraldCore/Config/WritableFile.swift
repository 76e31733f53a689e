import Foundation

/// Whether a file Herald will write (the store, a log channel's file) can be written, asked
/// before start-up so that `validate` reports what start-up would refuse. Covers: a folder or
/// a device where a file should be; an existing file not writable; a file to be created in a
/// folder (or below the nearest existing one) that is not writable. Not covered: a full disk,
/// a file system that refuses the write itself (`/proc`) or, for root, permission bits.
public enum WritableFile {
    /// Why `path` cannot be written as a regular file; nil when it can.
    public static func problem(_ path: String) -> String? {
        let files = FileManager.default
        var isFolder: ObjCBool = false
        if files.fileExists(atPath: path, isDirectory: &isFolder) {
            if isFolder.boolValue { return "\(path) is a folder; expected a file" }
            let type = (try? files.attributesOfItem(atPath: path))?[.type] as? FileAttributeType
            if type != .typeRegular { return "\(path) is not a regular file" }
            return access(path, W_OK) == 0 ? nil : "\(path) is not writable"
        }
        var folder = (path as NSString).deletingLastPathComponent
        while !folder.isEmpty && !files.fileExists(atPath: folder, isDirectory: &isFolder) {
            folder = (folder as NSString).deletingLastPathComponent
        }
        if folder.isEmpty { folder = "." }
        guard files.fileExists(atPath: folder, isDirectory: &isFolder), isFolder.boolValue else {
            return "\(folder) is not a folder, so \(path) cannot be created"
        }
        return access(folder, W_OK | X_OK) == 0 ? nil : "cannot create \(path): the folder \(folder) is not writable"
    }
}
