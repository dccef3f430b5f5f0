// SPDX-License-Identifier: MIT
import Foundation

#if canImport(FoundationNetworking)
  import FoundationNetworking
#endif

// Blocking HTTP GET for model files: a URLSession data task with a delegate
// (bytes arrive in chunks, so progress can be reported) and a semaphore. The
// async API is slower here and a Task plus a semaphore wait deadlocks on the
// main thread (native-recipes.md "HTTP"). A non-2xx status is an error naming
// the status and the URL.

/// Blocking HTTP downloads.
public enum HTTPClient {
  /// Seconds before a request without progress fails.
  nonisolated(unsafe) public static var timeout: TimeInterval = 60

  /// GETs `url`; throws for transport failures and non-2xx statuses. `onProgress` is called
  /// (on a URLSession thread) with the bytes received so far and the expected total when the
  /// server sent a Content-Length.
  public static func get(
    _ url: String, onProgress: ((_ received: Int64, _ expected: Int64?) -> Void)? = nil
  ) throws -> Data {
    guard let u = URL(string: url) else { throw valueError("Invalid URL: \(url)") }
    var request = URLRequest(url: u)
    request.timeoutInterval = timeout
    request.httpMethod = "GET"
    let receiver = Receiver(onProgress: onProgress)
    let config = URLSessionConfiguration.ephemeral
    config.timeoutIntervalForRequest = timeout
    let session = URLSession(configuration: config, delegate: receiver, delegateQueue: nil)
    defer { session.finishTasksAndInvalidate() }
    session.dataTask(with: request).resume()
    receiver.done.wait()
    if let error = receiver.error {
      throw valueError("Request to \(url) failed: \(error.localizedDescription)")
    }
    let status = (receiver.response as? HTTPURLResponse)?.statusCode ?? 200
    guard (200..<300).contains(status) else {
      throw valueError("Request to \(url) failed with status code \(status).")
    }
    return receiver.data
  }

  /// Collects one task's response and body, counting bytes as they arrive.
  private final class Receiver: NSObject, URLSessionDataDelegate, @unchecked Sendable {
    let onProgress: ((Int64, Int64?) -> Void)?
    let done = DispatchSemaphore(value: 0)
    var data = Data()
    var response: URLResponse?
    var error: Error?

    init(onProgress: ((Int64, Int64?) -> Void)?) { self.onProgress = onProgress }

    func urlSession(
      _ session: URLSession, dataTask: URLSessionDataTask, didReceive response: URLResponse,
      completionHandler: @escaping (URLSession.ResponseDisposition) -> Void
    ) {
      self.response = response
      completionHandler(.allow)
    }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive data: Data) {
      self.data.append(data)
      guard let onProgress else { return }
      let expected = response?.expectedContentLength ?? -1
      onProgress(Int64(self.data.count), expected >= 0 ? expected : nil)
    }

    func urlSession(_ session: URLSession, task: URLSessionTask, didCompleteWithError error: Error?) {
      self.error = error
      if response == nil { response = task.response }
      done.signal()
    }
  }
}
