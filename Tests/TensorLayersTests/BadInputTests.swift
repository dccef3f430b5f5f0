// Malformed args, configs and files give errors, never crashes.

import Foundation
import TensorEngine
import XCTest

@testable import TensorLayers

final class BadInputTests: XCTestCase {
  func testBadLayerArgsThrow() {
    XCTAssertThrowsError(try Dense(args(("units", .number(-3)))))
    XCTAssertThrowsError(try Dense(args(("units", .number(2.5)))))
    XCTAssertThrowsError(try Dense(args(("units", .number(1e300)))))
    XCTAssertThrowsError(try Dense(args(("units", .string("four")))))
    XCTAssertThrowsError(try Conv2D(args(("filters", .int(2)), ("kernelSize", .int(0)))))
    XCTAssertThrowsError(try Conv2D(args(("filters", .int(2)), ("kernelSize", .ints([3, 3, 3])))))
    XCTAssertThrowsError(try Conv2D(args(("filters", .int(2)))))
    XCTAssertThrowsError(
      try Conv2D(args(("filters", .int(2)), ("kernelSize", .int(3)), ("dataFormat", .string("x")))))
    XCTAssertThrowsError(try MaxPooling2D(args(("poolSize", .int(-1)))))
    XCTAssertThrowsError(try InputLayer(args(("batchInputShape", .ints([-5, 3])))))
    XCTAssertThrowsError(try InputLayer(ConfigObject()))
    XCTAssertThrowsError(try ZeroPadding2D(args(("padding", .number(-1)))))
    XCTAssertThrowsError(try UpSampling2D(args(("size", .int(0)))))
    XCTAssertThrowsError(try Reshape(args(("targetShape", .ints([-4])))))
    XCTAssertThrowsError(try Dropout(ConfigObject()))
    XCTAssertThrowsError(try BatchNormalization(args(("axis", .ints([1, 2])))))
  }

  func testBadInputsToLayersThrow() throws {
    let flatten = try Flatten(ConfigObject())
    XCTAssertThrowsError(try flatten.apply(Tensor.scalar(1)))
    XCTAssertThrowsError(try Reshape(args(("targetShape", .ints([2])))).apply(Tensor.scalar(1)))
    let drop = try Dropout(args(("rate", .number(0.5)), ("noiseShape", .ints([1, 2, 3]))))
    XCTAssertThrowsError(try drop.apply(try Tensor.ones([2, 2]), training: true))
    let conv = try Conv2D(args(("filters", .int(1)), ("kernelSize", .int(3))))
    XCTAssertThrowsError(try conv.apply(try Tensor.ones([1, 4, 4])))
    // Smaller than the kernel with valid padding: an empty output, as TF.js computes it.
    XCTAssertEqual(try conv.apply(try Tensor.ones([1, 2, 2, 1])).shape, [1, 0, 0, 1])
    XCTAssertThrowsError(
      try Concatenate(args(("axis", .int(5)))).apply([
        try Tensor.ones([1, 2]), try Tensor.ones([1, 2]),
      ]))
    let dense = try Dense(args(("units", .int(2))))
    XCTAssertThrowsError(try dense.apply(try Tensor.ones([3])))
    let model = try Sequential(layers: [
      try Dense(args(("units", .int(1)), ("inputShape", .ints([2]))))
    ])
    XCTAssertThrowsError(try model.predict(Tensor.scalar(1)))
    XCTAssertThrowsError(try model.predict([]))
    XCTAssertThrowsError(try model.predict(try Tensor.ones([2, 2]), batchSize: 0))
  }

  func testCorruptConfigsThrow() throws {
    let cases = [
      #"{"class_name": "Functional", "config": {"name": "m", "layers": [], "input_layers": [["x", -1, 0]], "output_layers": [["x", 0, 0]]}}"#,
      #"{"class_name": "Functional", "config": {"name": "m", "layers": [{"class_name": "InputLayer", "config": {"batch_input_shape": [null, 2], "name": "x"}, "name": "x", "inbound_nodes": []}, {"class_name": "Dense", "config": {"units": 2, "name": "d"}, "name": "d", "inbound_nodes": [[["x", 7, 0, {}]]]}], "input_layers": [["x", 0, 0]], "output_layers": [["d", 0, 0]]}}"#,
      #"{"class_name": "Functional", "config": {"name": "m", "layers": [{"class_name": "Dense", "config": {"units": 2, "name": "d"}, "name": "d", "inbound_nodes": [{"args": 1}]}], "input_layers": [], "output_layers": []}}"#,
      #"{"class_name": "Sequential", "config": 5}"#,
      #"{"class_name": "Dense", "config": {"units": 2}}"#,
      #"[1, 2]"#,
    ]
    for text in cases {
      XCTAssertThrowsError(
        try LayerRegistry.modelFromTopology(try ConfigValue.parseJSON(Data(text.utf8))), text)
    }
    for bad in ["{", "[1,]", "{\"a\" 1}", "\"unterminated", "tru", "[1] 2"] {
      XCTAssertThrowsError(try ConfigValue.parseJSON(Data(bad.utf8)), bad)
    }
    let manifest = try ConfigValue.parseJSON(
      Data(
        #"[{"paths": ["w.bin"], "weights": [{"name": "k", "shape": [-2, 3], "dtype": "float32"}]}]"#
          .utf8))
    XCTAssertThrowsError(try WeightsIO.parseManifest(manifest))
    XCTAssertThrowsError(try ModelLoader.loadLayersModel(path: "/nonexistent/model.json")) {
      XCTAssertTrue("\($0)".hasSuffix("does not exist: loading failed"))
    }
  }
}

final class ActivityRegularizerTests: XCTestCase {
  func testActivityRegularizerIsNotImplementedAsInTFJS() throws {
    let d = try Dense(args(("units", .int(2)), ("activityRegularizer", .string("l2"))))
    XCTAssertThrowsError(try d.apply(try input(shape: [3]))) { e in
      XCTAssertEqual((e as? LayersError)?.kind, .notImplemented)
    }
  }
}
