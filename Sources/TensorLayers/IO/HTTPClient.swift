// SPDX-License-Identifier: MIT
import Foundation

#if canImport(FoundationNetworking)
  import FoundationNetworking
#endif

// Blocking HTTP GET for model files. URLSession's dataTask with a semaphore:
// the async API is slower here and a Task plus a semaphore wait deadlocks on
// the main thread (native-recipes.md "HTTP"). A non-2xx status is an error
// naming the status and the URL.

/// Blocking HTTP downloads.
public enum HTTPClient {
  /// Seconds before a request without progress fails.
  nonisolated(unsafe) public static var timeout: TimeInterval = 60

  /// GETs `url`; throws for transport failures and non-2xx statuses.
  public static func get(_ url: String) throws -> Data {
    guard let u = URL(string: url) else { throw valueError("Invalid URL: \(url)") }
    var request = URLRequest(url: u)
    request.timeoutInterval = timeout
    request.httpMethod = "GET"
    final class Box: @unchecked Sendable {
      var data: Data?
      var response: URLResponse?
      var error: Error?
    }
    let box = Box()
    let done = DispatchSemaphore(value: 0)
    let config = URLSessionConfiguration.ephemeral
    config.timeoutIntervalForRequest = timeout
    let session = URLSession(configuration: config)
    defer { session.finishTasksAndInvalidate() }
    let task = session.dataTask(with: request) { data, response, error in
      box.data = data
      box.response = response
      box.error = error
      done.signal()
    }
    task.resume()
    done.wait()
    if let error = box.error {
      throw valueError("Request to \(url) failed: \(error.localizedDescription)")
    }
    let status = (box.response as? HTTPURLResponse)?.statusCode ?? 200
    guard (200..<300).contains(status) else {
      throw valueError("Request to \(url) failed with status code \(status).")
    }
    return box.data ?? Data()
  }
}
