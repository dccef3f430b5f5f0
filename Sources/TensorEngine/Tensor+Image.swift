// SPDX-License-Identifier: MIT
import Foundation

// tf.image ops over NHWC images (TF.js ops/image/resize_bilinear.ts,
// resize_nearest_neighbor.ts, flip_left_right.ts, crop_and_resize.ts).
// Tape names and inputs: ResizeBilinear [images], ResizeNearestNeighbor
// [images], ResizeBilinearGrad / ResizeNearestNeighborGrad [images, dy]; attrs
// "alignCorners", "halfPixelCenters" (bool) and "size" [h, w]. The gradients
// are `Tensor.resizeBilinearBackprop` / `resizeNearestNeighborBackprop`.
// FlipLeftRight and CropAndResize are recorded but have no gradient in TF.js.

extension Tensor {
  /// `tf.image.resizeBilinear(images, size, alignCorners, halfPixelCenters)`: resizes
  /// `[b, h, w, c]` (or `[h, w, c]`) images to `size` = `[newHeight, newWidth]`.
  public func resizeBilinear(
    size: [Int], alignCorners: Bool = false, halfPixelCenters: Bool = false
  ) throws -> Tensor {
    try resize(
      bilinear: true, size: size, alignCorners: alignCorners, halfPixelCenters: halfPixelCenters)
  }

  /// `tf.image.resizeNearestNeighbor(images, size, alignCorners, halfPixelCenters)`; keeps
  /// the images' dtype (float32 or int32).
  public func resizeNearestNeighbor(
    size: [Int], alignCorners: Bool = false, halfPixelCenters: Bool = false
  ) throws -> Tensor {
    try resize(
      bilinear: false, size: size, alignCorners: alignCorners, halfPixelCenters: halfPixelCenters)
  }

  private func resize(
    bilinear: Bool, size: [Int], alignCorners: Bool, halfPixelCenters: Bool
  ) throws -> Tensor {
    let op = bilinear ? "resizeBilinear" : "resizeNearestNeighbor"
    try checkAlive()
    if rank != 3 && rank != 4 {
      throw TensorError("Error in \(op): x must be rank 3 or 4, but got rank \(rank).")
    }
    if size.count != 2 {
      throw TensorError("Error in \(op): new shape must 2D, but got shape \(shapeText(size)).")
    }
    if !bilinear && dtype != .float32 && dtype != .int32 {
      throw TensorError("`images` must have `int32` or `float32` as dtype")
    }
    if halfPixelCenters && alignCorners {
      throw TensorError("Error in \(op): If halfPixelCenters is true, alignCorners must be false.")
    }
    let (x4, reshaped) = try asBatch(op)
    let (b, h, w, c) = (x4.shape[0], x4.shape[1], x4.shape[2], x4.shape[3])
    let outShape = [b, size[0], size[1], c]
    try Tensor.checkShape(outShape)
    let attrs = OpAttrs([
      "alignCorners": .bool(alignCorners), "halfPixelCenters": .bool(halfPixelCenters),
      "size": .ints(size),
    ])
    let name = bilinear ? "ResizeBilinear" : "ResizeNearestNeighbor"
    let y = try Engine.shared.runOp(name, inputs: [x4], attrs: attrs) {
      Tensor.kernelResult(outShape, [x4], dtype: bilinear ? .float32 : x4.dtype) { p, out in
        if h == 0 || w == 0 {
          out.update(repeating: 0, count: sizeOf(outShape))
        } else if bilinear {
          resizeBilinearForward(
            p[0], out, batch: b, inHeight: h, inWidth: w, channels: c, outHeight: size[0],
            outWidth: size[1], alignCorners: alignCorners, halfPixelCenters: halfPixelCenters)
        } else {
          resizeNearestNeighborForward(
            p[0], out, batch: b, inHeight: h, inWidth: w, channels: c, outHeight: size[0],
            outWidth: size[1], alignCorners: alignCorners, halfPixelCenters: halfPixelCenters)
        }
      }
    }
    return reshaped ? try y.reshape(Array(outShape.dropFirst())) : y
  }

  /// Gradient of `resizeBilinear` with respect to `images` (TF's ResizeBilinearGrad).
  public static func resizeBilinearBackprop(
    images: Tensor, dy: Tensor, alignCorners: Bool, halfPixelCenters: Bool = false
  ) throws -> Tensor {
    try resizeBackprop(
      bilinear: true, images: images, dy: dy, alignCorners: alignCorners,
      halfPixelCenters: halfPixelCenters)
  }

  /// Gradient of `resizeNearestNeighbor` with respect to `images`.
  public static func resizeNearestNeighborBackprop(
    images: Tensor, dy: Tensor, alignCorners: Bool, halfPixelCenters: Bool = false
  ) throws -> Tensor {
    try resizeBackprop(
      bilinear: false, images: images, dy: dy, alignCorners: alignCorners,
      halfPixelCenters: halfPixelCenters)
  }

  private static func resizeBackprop(
    bilinear: Bool, images: Tensor, dy: Tensor, alignCorners: Bool, halfPixelCenters: Bool
  ) throws -> Tensor {
    let op = bilinear ? "resizeBilinearGrad" : "resizeNearestNeighborGrad"
    try images.checkAlive()
    try dy.checkAlive()
    guard images.rank == 4, dy.rank == 4, images.shape[0] == dy.shape[0],
      images.shape[3] == dy.shape[3]
    else {
      throw TensorError(
        "Error in \(op): images [\(shapeText(images.shape))] and dy [\(shapeText(dy.shape))] "
          + "must be rank 4 with the same batch and channels.")
    }
    let (b, h, w, c) = (images.shape[0], images.shape[1], images.shape[2], images.shape[3])
    let (oh, ow) = (dy.shape[1], dy.shape[2])
    let attrs = OpAttrs([
      "alignCorners": .bool(alignCorners), "halfPixelCenters": .bool(halfPixelCenters),
      "size": .ints([oh, ow]),
    ])
    let name = bilinear ? "ResizeBilinearGrad" : "ResizeNearestNeighborGrad"
    return try Engine.shared.runOp(name, inputs: [images, dy], attrs: attrs) {
      Tensor.kernelResult(images.shape, [dy]) { p, out in
        if bilinear {
          resizeBilinearBackward(
            p[0], out, batch: b, inHeight: h, inWidth: w, channels: c, outHeight: oh,
            outWidth: ow, alignCorners: alignCorners, halfPixelCenters: halfPixelCenters)
        } else {
          resizeNearestNeighborBackward(
            p[0], out, batch: b, inHeight: h, inWidth: w, channels: c, outHeight: oh,
            outWidth: ow, alignCorners: alignCorners, halfPixelCenters: halfPixelCenters)
        }
      }
    }
  }

  /// `tf.image.flipLeftRight(image)`: mirrors each image of a `[b, h, w, c]` batch.
  public func flipLeftRight() throws -> Tensor {
    try checkAlive()
    if rank != 4 {
      throw TensorError("Error in flipLeftRight: image must be rank 4,but got rank \(rank).")
    }
    let x = self
    let (b, h, w, c) = (shape[0], shape[1], shape[2], shape[3])
    return try Engine.shared.runOp("FlipLeftRight", inputs: [x]) {
      Tensor.kernelResult(x.shape, [x], dtype: x.dtype) { p, out in
        TensorEngine.flipLeftRight(p[0], out, batch: b, height: h, width: w, channels: c)
      }
    }
  }

  /// `tf.image.cropAndResize(image, boxes, boxInd, cropSize, method, extrapolationValue)`:
  /// crops normalized `[y1, x1, y2, x2]` boxes out of the images `boxInd` names and resizes
  /// each to `cropSize`; the result is `[numBoxes, cropH, cropW, c]` float32.
  public func cropAndResize(
    boxes: Tensor, boxInd: Tensor, cropSize: [Int], method: String = "bilinear",
    extrapolationValue: Float = 0
  ) throws -> Tensor {
    let op = "cropAndResize"
    try checkAlive()
    try boxes.checkAlive()
    try boxInd.checkAlive()
    let numBoxes = boxes.rank > 0 ? boxes.shape[0] : 0
    if rank != 4 { throw TensorError("Error in \(op): image must be rank 4,but got rank \(rank).") }
    if boxes.rank != 2 || boxes.shape[1] != 4 {
      throw TensorError(
        "Error in \(op): boxes must be have size [\(numBoxes),4] but had shape "
          + "\(shapeText(boxes.shape)).")
    }
    if boxInd.rank != 1 || boxInd.shape[0] != numBoxes {
      throw TensorError(
        "Error in \(op): boxInd must be have size [\(numBoxes)] but had shape "
          + "\(shapeText(boxes.shape)).")
    }
    try boxInd.requireDtype(.int32, arg: "boxInd", op: op)
    if cropSize.count != 2 {
      throw TensorError("Error in \(op): cropSize must be of length 2, but got length \(cropSize.count).")
    }
    if cropSize[0] < 1 || cropSize[1] < 1 {
      throw TensorError("cropSize must be atleast [1,1], but was \(shapeText(cropSize))")
    }
    if method != "bilinear" && method != "nearest" {
      throw TensorError("method must be bilinear or nearest, but was \(method)")
    }
    let indices = boxInd.values.map { Int($0) }
    for (i, index) in indices.enumerated() where index < 0 || index >= shape[0] {
      throw TensorError("Error in \(op): boxInd[\(i)] = \(index) is not in [0, \(shape[0])).")
    }
    let image = self
    let outShape = [numBoxes, cropSize[0], cropSize[1], shape[3]]
    try Tensor.checkShape(outShape)
    let attrs = OpAttrs([
      "cropSize": .ints(cropSize), "method": .string(method),
      "extrapolationValue": .float(Double(extrapolationValue)),
    ])
    return try Engine.shared.runOp("CropAndResize", inputs: [image, boxes, boxInd], attrs: attrs) {
      Tensor.kernelResult(outShape, [image, boxes]) { p, out in
        TensorEngine.cropAndResize(
          p[0], boxes: p[1], boxIndices: indices, out, imageHeight: image.shape[1],
          imageWidth: image.shape[2], channels: image.shape[3], cropHeight: cropSize[0],
          cropWidth: cropSize[1], bilinear: method == "bilinear",
          extrapolationValue: extrapolationValue)
      }
    }
  }
}
