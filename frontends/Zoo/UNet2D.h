//===- UNet2D.h - the zoo's DDPM U-Net (diffusers UNet2DModel) --*- C++ -*-===//
//
// Part of the diffc project, under the Apache License v2.0.
//
//===----------------------------------------------------------------------===//
//
// Builds the DDPM U-Net of Ho et al. in the layout of diffusers'
// UNet2DModel as a `func.func` of diffc ops, so that users need not write
// U-Nets by hand:
//
//   sinusoidal timestep embedding (dim = block_out_channels[0])
//     -> time_embedding.linear_1 - SiLU - time_embedding.linear_2
//     [+ class_embedding[label]]
//   conv_in
//   down_blocks.i   layersPerBlock ResNet blocks [each followed by attention],
//                   then a stride-2 3x3 conv downsample (all but the last
//                   level)
//   mid_block       ResNet - attention - ResNet
//   up_blocks.i     layersPerBlock + 1 ResNet blocks over the channel
//                   concatenation with the down path's skips [each followed by
//                   attention], then nearest x2 + 3x3 conv (all but the last)
//   conv_norm_out - SiLU - conv_out
//
// Every weight is a `diffc.parameter` named by its key in diffusers'
// UNet2DModel state dict (`down_blocks.0.resnets.1.time_emb_proj.weight`,
// `mid_block.attentions.0.to_q.weight`, ...) with the same shape, so a
// checkpoint of the same configuration loads by name. The PyTorch twin in
// frontends/python/unet2d_torch.py defines the same network and names.
//
// Example:
//
//   OpBuilder b = OpBuilder::atBlockEnd(module.getBody());
//   FailureOr<func::FuncOp> f =
//       zoo::buildUNet2D(b, loc, "unet", zoo::UNet2DConfig::fmnistSmall());
//
//===----------------------------------------------------------------------===//

#ifndef DIFFC_FRONTENDS_ZOO_UNET2D_H
#define DIFFC_FRONTENDS_ZOO_UNET2D_H

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/Location.h"
#include "mlir/Support/LLVM.h"
#include "llvm/ADT/STLFunctionalExtras.h"

#include <cstdint>
#include <string>
#include <vector>

namespace mlir::diffc::zoo {

/// The hyper-parameters of a DDPM U-Net. Field names follow the papers'
/// vocabulary; the comment of each field names the diffusers UNet2DModel
/// config key it corresponds to.
struct UNet2DConfig {
  /// Height and width of the square input (`sample_size`).
  int64_t sampleSize = 32;
  /// Channels of the input and of the predicted output (`in_channels`,
  /// `out_channels`).
  int64_t inChannels = 3;
  int64_t outChannels = 3;
  /// Channels of the first level; level i has baseChannels x channelMult[i]
  /// (`block_out_channels`).
  int64_t baseChannels = 128;
  std::vector<int64_t> channelMult = {1, 2, 2, 2};
  /// ResNet blocks per down level; up levels have one more
  /// (`layers_per_block`).
  int64_t layersPerBlock = 2;
  /// Feature-map sizes (height = width) at which the down and up levels get
  /// self-attention after every ResNet block, e.g. {16} for 32x32 inputs.
  /// The middle block always has attention. Used only when downBlockTypes
  /// and upBlockTypes are empty.
  std::vector<int64_t> attentionResolutions = {16};
  /// Explicit diffusers block types per level (`down_block_types`,
  /// `up_block_types`): "DownBlock2D" / "AttnDownBlock2D" and "UpBlock2D" /
  /// "AttnUpBlock2D". Empty: derived from attentionResolutions.
  std::vector<std::string> downBlockTypes;
  std::vector<std::string> upBlockTypes;
  /// GroupNorm groups and epsilon of every norm (`norm_num_groups`,
  /// `norm_eps`).
  int64_t normGroups = 32;
  double normEps = 1e-6;
  /// Width of the time embedding MLP; 0 means 4 x block_out_channels[0]
  /// (`time_embedding_dim`).
  int64_t timeEmbedDim = 0;
  /// Sinusoidal embedding options (`flip_sin_to_cos`, `freq_shift`).
  bool flipSinToCos = true;
  double freqShift = 0.0;
  /// Channels per attention head; 0 means one head over all channels (the
  /// DDPM paper's attention). diffusers' `attention_head_dim`, whose own
  /// default is 8, must be given explicitly when importing its configs.
  int64_t attentionHeadDim = 0;
  /// Number of classes for class conditioning; 0 is unconditional. With
  /// n > 0 the model takes class labels and has a `class_embedding` table of
  /// n + 1 rows, the last row being the null class of classifier-free
  /// guidance (diffusers' `num_class_embeds` = n + 1).
  int64_t numClasses = 0;

  /// Fashion-MNIST, 1x28x28: ch 64, multipliers (1, 2, 2), 2 blocks,
  /// attention at 7x7, time embedding 256 (BENCH.md: 6,469,889 parameters).
  static UNet2DConfig fmnistSmall();
  /// CIFAR-10 DDPM, 3x32x32: ch 128, multipliers (1, 2, 2, 2), 2 blocks,
  /// attention at 16x16, time embedding 512 (BENCH.md: 35,746,307).
  static UNet2DConfig cifar10Ddpm();

  /// block_out_channels: baseChannels x channelMult[i].
  std::vector<int64_t> blockOutChannels() const;
  /// The time embedding width with the default resolved.
  int64_t resolvedTimeEmbedDim() const;
  /// down_block_types / up_block_types, explicit or derived the way
  /// diffusers' configs for DDPM do: a level whose feature-map size is in
  /// attentionResolutions gets the attention variant.
  std::vector<std::string> resolvedDownBlockTypes() const;
  std::vector<std::string> resolvedUpBlockTypes() const;
};

/// Checks that `config` describes a buildable U-Net; on failure calls
/// `emitError` once with a one-line, lowercase message and returns failure.
LogicalResult
verifyUNet2DConfig(const UNet2DConfig &config,
                   llvm::function_ref<void(const llvm::Twine &)> emitError);

/// Emits, at the builder's insertion point,
///
///   func.func @name(%sample: tensor<?xCxHxWxf32>, %timestep: tensor<?xi64>
///                   [, %class_labels: tensor<?xi64>]) -> tensor<?xOxHxWxf32>
///
/// with a dynamic batch. The caller must have loaded the diffc and func
/// dialects. Fails, after emitting an error at `loc`, when the configuration
/// does not verify.
FailureOr<func::FuncOp> buildUNet2D(OpBuilder &builder, Location loc,
                                    StringRef name, const UNet2DConfig &config);

} // namespace mlir::diffc::zoo

#endif // DIFFC_FRONTENDS_ZOO_UNET2D_H
