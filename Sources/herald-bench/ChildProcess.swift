#if canImport(Glibc)
import Glibc
#endif
import Foundation
import HeraldCore

/// Runs a program to completion and measures it the way the benchmark needs: wall time
/// on a monotonic clock, CPU time (from `wait4`'s rusage, which `Foundation.Process` does
/// not expose) and the child's peak resident set size.
///
/// The peak is the child's own `VmHWM` (/proc/PID/status), read every 2 ms while it runs:
/// `ru_maxrss` would also count the benchmark's own memory, because `posix_spawn` runs the
/// child on the parent's address space until `exec` and Linux keeps that high-water mark.
/// Growth in the child's last 2 ms can be missed.
struct ChildProcess {
    struct Measurement {
        var exitStatus: Int32
        var seconds: Double
        var peakRSSMebibytes: Double
        /// User plus system CPU time of the child.
        var cpuSeconds: Double
    }

    /// `stdoutPath` / `stderrPath` receive the child's output (the benchmark keeps them for inspection).
    static func run(_ executable: String, _ arguments: [String], stdoutPath: String, stderrPath: String) throws -> Measurement {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 1, stdoutPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_addopen(&actions, 2, stderrPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)

        let argv: [UnsafeMutablePointer<CChar>?] = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        let started = ContinuousClock.now
        let spawned = posix_spawn(&pid, executable, &actions, nil, argv, environ)
        guard spawned == 0 else {
            throw BenchError("cannot start \(executable): \(String(cString: strerror(spawned)))")
        }
        var status: Int32 = 0
        var usage = rusage()
        var peakKibibytes = 0
        while true {
            let waited = wait4(pid, &status, WNOHANG, &usage)
            if waited == pid { break }
            guard waited == 0 || errno == EINTR else {
                throw BenchError("wait4 failed: \(String(cString: strerror(errno)))")
            }
            peakKibibytes = max(peakKibibytes, highWaterMark(of: pid) ?? 0)
            usleep(2_000)
        }
        let seconds = (ContinuousClock.now - started).inSeconds
        let exited = status & 0x7F == 0
        let cpu = Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec)
            + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1_000_000
        return Measurement(exitStatus: exited ? (status >> 8) & 0xFF : 128 + (status & 0x7F), seconds: seconds,
                           peakRSSMebibytes: Double(peakKibibytes) / 1024, cpuSeconds: cpu)
    }

    /// `VmHWM` of a running process, in KiB.
    private static func highWaterMark(of pid: pid_t) -> Int? {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }) else { return nil }
        return Int(line.dropFirst("VmHWM:".count).split(whereSeparator: \.isWhitespace).first ?? "")
    }
}

struct BenchError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
