//===- Inspect.cpp - diffc-run inspect: an artifact as JSON ---------------===//
//
// Part of the diffc project, under the Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//
//
// Output shape (values abbreviated):
//
//   {
//     "schema_version": 1,
//     "producer": "diffc 0.1 (LLVM 22)",
//     "entry_points": [
//       {
//         "name": "add_f32",
//         "symbol": "add_f32",
//         "inputs": [
//           {"name": "x", "kind": "tensor", "element_type": "f32", "shape": [-1], "type": "tensor<?xf32>"}
//         ],
//         "outputs": [ ... ]
//       }
//     ],
//     "code_objects": [
//       {"target": "x86_64", "format": "elf_shared_object", "offset": 0, "size": 15808}
//     ],
//     "weights": [
//       {"name": "w", "element_type": "f32", "shape": [2, 3], "offset": 15808, "size": 24}
//     ],
//     "parameters": [
//       {"name": "w", "symbol": "diffc_param_0", "element_type": "f32", "shape": [2, 3], "type": "tensor<2x3xf32>", "embedded": true}
//     ],
//     "metadata": {
//       "scheduler_config": "{\"num_train_timesteps\": 1000, ...}",
//       "samplers": "ddim,ddpm"
//     }
//   }
//
// Shapes use -1 for a dynamic extent, as the schema does; "type" repeats the
// signature in MLIR spelling for readability. A parameter is "embedded" when
// the artifact has a weight of its name (the default value; a weights file
// given at run time takes precedence). Metadata values are text, printed as
// JSON strings even when they hold JSON themselves, in file order; the
// loader has checked that keys are unique and everything is valid UTF-8, so
// the output is valid JSON.
//
//===----------------------------------------------------------------------===//

#include "Inspect.h"

#include <cstdio>

namespace diffc {

namespace {

std::string jsonString(const std::string &s);

/// A kernel's parameters, compactly, as JSON strings: "arg0:buffer<rank 4,
/// f32>", "result0:...", "elements:i64", "host:f32".
/// `, "resources": [{"target": "sm_90", "registers": 12, ...}]`, or nothing
/// for artifacts without them.
std::string gpuResources(const GpuKernelInfo &k) {
  if (k.resources.empty())
    return {};
  std::string out = ", \"resources\": [";
  for (size_t i = 0; i < k.resources.size(); ++i) {
    const GpuKernelResources &r = k.resources[i];
    char occupancy[32];
    std::snprintf(occupancy, sizeof(occupancy), "%.3f", r.occupancy);
    out += (i ? ", " : "") + std::string("{\"target\": ") +
           jsonString(r.target) +
           ", \"registers\": " + std::to_string(r.registers) +
           ", \"shared_memory_bytes\": " +
           std::to_string(r.sharedMemoryBytes) +
           ", \"spill_bytes\": " + std::to_string(r.spillBytes) +
           ", \"occupancy\": " + occupancy + "}";
  }
  return out + "]";
}

std::string gpuParams(const GpuKernelInfo &k) {
  std::string out;
  for (const GpuKernelParam &p : k.params) {
    std::string source =
        p.source == GpuKernelParam::Source::argument ? "arg" + std::to_string(p.index)
        : p.source == GpuKernelParam::Source::result
            ? "result" + std::to_string(p.index)
        : p.source == GpuKernelParam::Source::elements ? "elements"
                                                       : "host";
    std::string type = elementTypeName(p.elementType);
    if (p.isBuffer)
      type = "buffer<rank " + std::to_string(p.rank) + ", " + type + ">";
    out += (out.empty() ? "" : ", ") + jsonString(source + ":" + type);
  }
  return out;
}

std::string jsonString(const std::string &s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    switch (c) {
    case '"':
      out += "\\\"";
      break;
    case '\\':
      out += "\\\\";
      break;
    case '\n':
      out += "\\n";
      break;
    case '\t':
      out += "\\t";
      break;
    default:
      if (c < 0x20) {
        char buffer[8];
        std::snprintf(buffer, sizeof(buffer), "\\u%04x", c);
        out += buffer;
      } else {
        out += static_cast<char>(c);
      }
    }
  }
  return out + "\"";
}

std::string jsonShape(const std::vector<int64_t> &shape) {
  std::string out = "[";
  for (size_t i = 0; i < shape.size(); ++i)
    out += (i ? ", " : "") + std::to_string(shape[i]);
  return out + "]";
}

std::string jsonValue(const ValueSignature &value) {
  std::string out = "{\"name\": " + jsonString(value.name) +
                    ", \"kind\": " + jsonString(valueKindName(value.kind));
  if (value.kind == ValueKind::tensor)
    out += ", \"element_type\": " +
           jsonString(elementTypeName(value.elementType)) +
           ", \"shape\": " + jsonShape(value.shape);
  return out + ", \"type\": " + jsonString(typeString(value)) + "}";
}

/// Appends `items` as the lines of a JSON array at `indent`.
void appendArray(std::string &out, const std::string &indent,
                 const std::vector<std::string> &items) {
  if (items.empty()) {
    out += "[]";
    return;
  }
  out += "[\n";
  for (size_t i = 0; i < items.size(); ++i)
    out += indent + "  " + items[i] + (i + 1 < items.size() ? ",\n" : "\n");
  out += indent + "]";
}

} // namespace

std::string inspectJson(const Artifact &artifact) {
  std::string out = "{\n";
  out += "  \"schema_version\": " + std::to_string(artifact.schemaVersion()) +
         ",\n";
  out += "  \"producer\": " + jsonString(artifact.producer()) + ",\n";

  std::vector<std::string> entries;
  for (const EntryPointSignature &entry : artifact.entryPoints()) {
    std::vector<std::string> inputs, outputs;
    for (const ValueSignature &v : entry.inputs)
      inputs.push_back(jsonValue(v));
    for (const ValueSignature &v : entry.outputs)
      outputs.push_back(jsonValue(v));
    std::string e = "{\n";
    e += "      \"name\": " + jsonString(entry.name) + ",\n";
    e += "      \"symbol\": " + jsonString(entry.symbol) + ",\n";
    e += "      \"inputs\": ";
    appendArray(e, "      ", inputs);
    e += ",\n      \"outputs\": ";
    appendArray(e, "      ", outputs);
    e += "\n    }";
    entries.push_back(e);
  }
  out += "  \"entry_points\": ";
  appendArray(out, "  ", entries);
  out += ",\n";

  std::vector<std::string> code;
  for (const CodeObjectRef &c : artifact.codeObjects())
    code.push_back("{\"target\": " + jsonString(c.target) +
                   ", \"format\": " + jsonString(codeFormatName(c.format)) +
                   ", \"offset\": " + std::to_string(c.offset) +
                   ", \"size\": " + std::to_string(c.size) + "}");
  out += "  \"code_objects\": ";
  appendArray(out, "  ", code);
  out += ",\n";

  // Only artifacts with GPU code have the key, so CPU-only output is unchanged.
  if (!artifact.gpuKernels().empty()) {
    std::vector<std::string> kernels;
    for (const GpuKernelInfo &k : artifact.gpuKernels())
      kernels.push_back(
          "{\"name\": " + jsonString(k.name) +
          ", \"function\": " + jsonString(k.function) +
          ", \"grid_rule\": \"elementwise_1d\", \"block\": [" +
          std::to_string(k.block[0]) + ", " + std::to_string(k.block[1]) +
          ", " + std::to_string(k.block[2]) +
          "], \"shared_memory_bytes\": " +
          std::to_string(k.sharedMemoryBytes) +
          ", \"static_elements\": " + std::to_string(k.staticElements) +
          ", \"params\": [" + gpuParams(k) + "]" + gpuResources(k) + "}");
    out += "  \"gpu_kernels\": ";
    appendArray(out, "  ", kernels);
    out += ",\n";
  }

  std::vector<std::string> weights;
  for (const WeightRef &w : artifact.weights())
    weights.push_back("{\"name\": " + jsonString(w.name) +
                      ", \"element_type\": " +
                      jsonString(elementTypeName(w.elementType)) +
                      ", \"shape\": " + jsonShape(w.shape) +
                      ", \"offset\": " + std::to_string(w.offset) +
                      ", \"size\": " + std::to_string(w.size) + "}");
  out += "  \"weights\": ";
  appendArray(out, "  ", weights);
  out += ",\n";

  std::vector<std::string> parameters;
  for (const ParameterSignature &p : artifact.parameters())
    parameters.push_back(
        "{\"name\": " + jsonString(p.name) +
        ", \"symbol\": " + jsonString(p.symbol) +
        ", \"element_type\": " + jsonString(elementTypeName(p.elementType)) +
        ", \"shape\": " + jsonShape(p.shape) +
        ", \"type\": " + jsonString(typeString(p)) + ", \"embedded\": " +
        (artifact.findWeight(p.name) ? "true" : "false") + "}");
  out += "  \"parameters\": ";
  appendArray(out, "  ", parameters);
  out += ",\n";

  out += "  \"metadata\": {";
  const std::vector<MetadataEntry> &metadata = artifact.metadata();
  for (size_t i = 0; i < metadata.size(); ++i)
    out += std::string(i ? ",\n" : "\n") + "    " +
           jsonString(metadata[i].first) + ": " +
           jsonString(metadata[i].second);
  out += metadata.empty() ? "}" : "\n  }";
  out += "\n}\n";
  return out;
}

} // namespace diffc
