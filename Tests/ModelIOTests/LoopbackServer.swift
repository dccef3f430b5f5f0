// A tiny HTTP/1.1 server on 127.0.0.1 for the loader tests: GET only, one
// request per connection, canned responses by request target (path + query).
// Written on Glibc sockets so the tests need nothing but the toolchain.

import Foundation

#if canImport(Glibc)
  import Glibc
#endif

final class LoopbackServer: @unchecked Sendable {
  struct Response {
    var status: Int
    var body: [UInt8]
    var contentType = "application/octet-stream"
  }

  private(set) var port: UInt16 = 0
  private let listener: Int32
  private let lock = NSLock()
  private var routes: [String: Response]
  private var log: [String] = []
  private var thread: Thread?

  /// Starts listening on an ephemeral loopback port.
  init(routes: [String: Response]) throws {
    self.routes = routes
    listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard listener >= 0 else { throw POSIXError(.EIO) }
    var one: Int32 = 1
    setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
    var addr = sockaddr_in()
    addr.sin_family = sa_family_t(AF_INET)
    addr.sin_port = 0
    addr.sin_addr.s_addr = inet_addr("127.0.0.1")
    let bound = withUnsafePointer(to: &addr) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
        bind(listener, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
      }
    }
    guard bound == 0, listen(listener, 16) == 0 else {
      close(listener)
      throw POSIXError(.EADDRINUSE)
    }
    var len = socklen_t(MemoryLayout<sockaddr_in>.size)
    _ = withUnsafeMutablePointer(to: &addr) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(listener, $0, &len) }
    }
    port = UInt16(bigEndian: addr.sin_port)
    let t = Thread { [unowned self] in self.serve() }
    thread = t
    t.start()
  }

  var baseURL: String { "http://127.0.0.1:\(port)" }

  /// Request targets received so far, in order.
  var requests: [String] {
    lock.lock()
    defer { lock.unlock() }
    return log
  }

  func set(_ target: String, _ response: Response?) {
    lock.lock()
    routes[target] = response
    lock.unlock()
  }

  /// Stops accepting; later requests get "connection refused".
  func stop() {
    shutdown(listener, Int32(SHUT_RDWR))
    close(listener)
  }

  private func serve() {
    while true {
      let c = accept(listener, nil, nil)
      if c < 0 { return }
      handle(c)
      close(c)
    }
  }

  private func handle(_ c: Int32) {
    var request: [UInt8] = []
    var buf = [UInt8](repeating: 0, count: 4096)
    while !request.ends(with: [13, 10, 13, 10]) {
      let n = read(c, &buf, buf.count)
      if n <= 0 { return }
      request += buf[0..<n]
      if request.count > 65536 { return }
    }
    let line = String(decoding: request.prefix { $0 != 13 }, as: UTF8.self)
    let parts = line.split(separator: " ")
    let target = parts.count > 1 ? String(parts[1]) : "/"
    lock.lock()
    log.append(target)
    let r =
      routes[target]
      ?? Response(status: 404, body: Array("not found".utf8), contentType: "text/plain")
    lock.unlock()
    let head =
      "HTTP/1.1 \(r.status) X\r\nContent-Length: \(r.body.count)\r\n"
      + "Content-Type: \(r.contentType)\r\nConnection: close\r\n\r\n"
    let bytes = Array(head.utf8) + r.body
    var off = 0
    while off < bytes.count {
      let n = bytes[off...].withUnsafeBytes { write(c, $0.baseAddress, $0.count) }
      if n <= 0 { return }
      off += n
    }
  }
}

extension Array where Element == UInt8 {
  func ends(with suffix: [UInt8]) -> Bool {
    count >= suffix.count && Array(self[(count - suffix.count)...]) == suffix
  }
}
