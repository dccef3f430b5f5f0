// The layers tests' fixture models; fixture paths, cases.json and assertClose
// come from FixtureSupport.

import Foundation
import TensorEngine
import XCTest

@_exported import FixtureSupport

@testable import TensorLayers

/// Loads a fixture's model.
func loadFixtureModel(_ name: String, file: String = "model/model.json") throws -> LayersModel {
  try ModelLoader.loadLayersModel(path: fixtureURL(name).appendingPathComponent(file).path)
}
