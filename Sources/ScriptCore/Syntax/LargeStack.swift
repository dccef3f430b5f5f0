// Runs deep recursive work (the recursive-descent parser) on a thread with a
// big stack, so that input nested up to `Parser.maxDepth` levels cannot
// overflow the caller's stack (8 MB on the main thread, 512 KB on others;
// a debug build uses several KB per nesting level).

#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#elseif canImport(Darwin)
  import Darwin
#endif

private final class ThreadBody {
  let run: () -> Void
  init(_ run: @escaping () -> Void) { self.run = run }
}

/// Calls `body` on a new thread with a `stackSize`-byte stack and waits for it.
/// Falls back to calling it on the current thread if no thread can be created.
func withLargeStack<T>(_ stackSize: Int, _ body: () -> T) -> T {
  var result: T?
  withoutActuallyEscaping(body) { escapable in
    let box = ThreadBody { result = escapable() }
    let context = Unmanaged.passRetained(box).toOpaque()
    var attr = pthread_attr_t()
    pthread_attr_init(&attr)
    defer { pthread_attr_destroy(&attr) }
    pthread_attr_setstacksize(&attr, stackSize)
    #if canImport(Darwin)
      var thread: pthread_t?
    #else
      var thread = pthread_t()
    #endif
    let rc = pthread_create(&thread, &attr, { raw in
      #if canImport(Darwin)
        let ctx = raw
      #else
        guard let ctx = raw else { return nil }
      #endif
      let b = Unmanaged<ThreadBody>.fromOpaque(ctx).takeRetainedValue()
      b.run()
      return nil
    }, context)
    if rc == 0 {
      #if canImport(Darwin)
        if let thread { pthread_join(thread, nil) }
      #else
        pthread_join(thread, nil)
      #endif
    } else {
      Unmanaged<ThreadBody>.fromOpaque(context).release()
      box.run()
    }
  }
  if let result { return result }
  return body()
}
