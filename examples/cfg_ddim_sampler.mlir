// Checked by test/Examples/cfg-ddim-sampler.mlir (round trip + the CHECKs below).

// A complete, if tiny, class-conditional diffusion model for 28x28 grey-scale
// images (MNIST-sized), written directly in the diffc dialect:
//
//   @denoiser  the noise-prediction network eps_theta(x_t, t, y): a one-level
//              U-Net in the layout of diffusers' UNet2DModel, with a
//              sinusoidal time embedding, a class embedding, one ResNet block,
//              a strided-convolution downsample, a self-attention block at
//              14x14, a nearest-neighbour upsample and a skip connection.
//   @sample    DDIM sampling with classifier-free guidance: noise schedule,
//              inference timesteps, initial noise and a sampler loop whose
//              body runs the denoiser twice (with the label and with the null
//              label), combines the two predictions and takes one DDIM step.
//
// Every weight is a `diffc.parameter` named by its key in the PyTorch state
// dict, so a checkpoint loads by name. Shapes are NCHW with a dynamic batch.

// CHECK-LABEL: func.func @denoiser(
//  CHECK-SAME:   %{{.*}}: tensor<?x1x28x28xf32>, %{{.*}}: tensor<?xi64>, %{{.*}}: tensor<?xi64>) -> tensor<?x1x28x28xf32>
//       CHECK:   diffc.parameter "time_embedding.linear_1.weight" : tensor<128x32xf32>
//       CHECK:   diffc.timestep_embedding %{{.*}} {dim = 32 : i64, downscale_freq_shift = 0.000000e+00 : f64, flip_sin_to_cos = true} : (tensor<?xi64>) -> tensor<?x32xf32>
//       CHECK:   diffc.embedding %{{.*}}, %{{.*}} : (tensor<11x128xf32>, tensor<?xi64>) -> tensor<?x128xf32>
//       CHECK:   diffc.group_norm %{{.*}} {num_groups = 8 : i64} : (tensor<?x32x28x28xf32>, tensor<32xf32>, tensor<32xf32>) -> tensor<?x32x28x28xf32>
//       CHECK:   diffc.reshape %{{.*}} : (tensor<?x32xf32>) -> tensor<?x32x1x1xf32>
//       CHECK:   diffc.conv2d %{{.*}} {padding = array<i64: 1, 1>, stride = array<i64: 2, 2>} : (tensor<?x32x28x28xf32>, tensor<32x32x3x3xf32>, tensor<32xf32>) -> tensor<?x32x14x14xf32>
//       CHECK:   diffc.attention %{{.*}} : (tensor<?x196x32xf32>, tensor<?x196x32xf32>, tensor<?x196x32xf32>) -> tensor<?x196x32xf32>
//       CHECK:   diffc.upsample_nearest %{{.*}} : (tensor<?x32x14x14xf32>) -> tensor<?x32x28x28xf32>
//       CHECK:   diffc.concat %{{.*}} {dim = 1 : i64} : (tensor<?x32x28x28xf32>, tensor<?x32x28x28xf32>) -> tensor<?x64x28x28xf32>
//       CHECK:   %[[OUT:.*]] = diffc.conv2d %{{.*}} : (tensor<?x64x28x28xf32>, tensor<1x64x3x3xf32>, tensor<1xf32>) -> tensor<?x1x28x28xf32>
//       CHECK:   return %[[OUT]] : tensor<?x1x28x28xf32>
func.func @denoiser(%x: tensor<?x1x28x28xf32>, %t: tensor<?xi64>,
                    %label: tensor<?xi64>) -> tensor<?x1x28x28xf32> {
  //===--------------------------------------------------------------------===//
  // Conditioning: emb = MLP(sinusoidal(t)) + class_embedding[label].
  //===--------------------------------------------------------------------===//
  %te_w1 = diffc.parameter "time_embedding.linear_1.weight" : tensor<128x32xf32>
  %te_b1 = diffc.parameter "time_embedding.linear_1.bias" : tensor<128xf32>
  %te_w2 = diffc.parameter "time_embedding.linear_2.weight" : tensor<128x128xf32>
  %te_b2 = diffc.parameter "time_embedding.linear_2.bias" : tensor<128xf32>
  %cls_w = diffc.parameter "class_embedding.weight" : tensor<11x128xf32>

  // diffusers' Timesteps(32, flip_sin_to_cos=True, downscale_freq_shift=0).
  %t_proj = diffc.timestep_embedding %t {dim = 32 : i64, flip_sin_to_cos = true,
                                         downscale_freq_shift = 0.0 : f64}
      : (tensor<?xi64>) -> tensor<?x32xf32>
  %t_h = diffc.linear %t_proj, %te_w1, %te_b1
      : (tensor<?x32xf32>, tensor<128x32xf32>, tensor<128xf32>) -> tensor<?x128xf32>
  %t_a = diffc.silu %t_h : tensor<?x128xf32>
  %t_emb = diffc.linear %t_a, %te_w2, %te_b2
      : (tensor<?x128xf32>, tensor<128x128xf32>, tensor<128xf32>) -> tensor<?x128xf32>
  // Ten digit classes; row 10 is the null class of classifier-free guidance.
  %c_emb = diffc.embedding %cls_w, %label
      : (tensor<11x128xf32>, tensor<?xi64>) -> tensor<?x128xf32>
  %emb = diffc.add %t_emb, %c_emb
      : (tensor<?x128xf32>, tensor<?x128xf32>) -> tensor<?x128xf32>

  //===--------------------------------------------------------------------===//
  // conv_in: 1 -> 32 channels at 28x28.
  //===--------------------------------------------------------------------===//
  %in_w = diffc.parameter "conv_in.weight" : tensor<32x1x3x3xf32>
  %in_b = diffc.parameter "conv_in.bias" : tensor<32xf32>
  %h0 = diffc.conv2d %x, %in_w, %in_b {padding = array<i64: 1, 1>}
      : (tensor<?x1x28x28xf32>, tensor<32x1x3x3xf32>, tensor<32xf32>)
      -> tensor<?x32x28x28xf32>

  //===--------------------------------------------------------------------===//
  // down_blocks.0.resnets.0: a ResNet block conditioned on emb.
  //   h = conv1(silu(norm1(x))) + time_emb_proj(silu(emb))[:, :, None, None]
  //   h = conv2(silu(norm2(h)))
  //   out = x + h
  //===--------------------------------------------------------------------===//
  %n1_g = diffc.parameter "down_blocks.0.resnets.0.norm1.weight" : tensor<32xf32>
  %n1_b = diffc.parameter "down_blocks.0.resnets.0.norm1.bias" : tensor<32xf32>
  %c1_w = diffc.parameter "down_blocks.0.resnets.0.conv1.weight" : tensor<32x32x3x3xf32>
  %c1_b = diffc.parameter "down_blocks.0.resnets.0.conv1.bias" : tensor<32xf32>
  %tp_w = diffc.parameter "down_blocks.0.resnets.0.time_emb_proj.weight" : tensor<32x128xf32>
  %tp_b = diffc.parameter "down_blocks.0.resnets.0.time_emb_proj.bias" : tensor<32xf32>
  %n2_g = diffc.parameter "down_blocks.0.resnets.0.norm2.weight" : tensor<32xf32>
  %n2_b = diffc.parameter "down_blocks.0.resnets.0.norm2.bias" : tensor<32xf32>
  %c2_w = diffc.parameter "down_blocks.0.resnets.0.conv2.weight" : tensor<32x32x3x3xf32>
  %c2_b = diffc.parameter "down_blocks.0.resnets.0.conv2.bias" : tensor<32xf32>

  %r_n1 = diffc.group_norm %h0, %n1_g, %n1_b {num_groups = 8 : i64}
      : (tensor<?x32x28x28xf32>, tensor<32xf32>, tensor<32xf32>) -> tensor<?x32x28x28xf32>
  %r_a1 = diffc.silu %r_n1 : tensor<?x32x28x28xf32>
  %r_c1 = diffc.conv2d %r_a1, %c1_w, %c1_b {padding = array<i64: 1, 1>}
      : (tensor<?x32x28x28xf32>, tensor<32x32x3x3xf32>, tensor<32xf32>)
      -> tensor<?x32x28x28xf32>
  // Project the embedding to one shift per channel, broadcast over H and W.
  %emb_a = diffc.silu %emb : tensor<?x128xf32>
  %r_t = diffc.linear %emb_a, %tp_w, %tp_b
      : (tensor<?x128xf32>, tensor<32x128xf32>, tensor<32xf32>) -> tensor<?x32xf32>
  %r_t4 = diffc.reshape %r_t : (tensor<?x32xf32>) -> tensor<?x32x1x1xf32>
  %r_h = diffc.add %r_c1, %r_t4
      : (tensor<?x32x28x28xf32>, tensor<?x32x1x1xf32>) -> tensor<?x32x28x28xf32>
  %r_n2 = diffc.group_norm %r_h, %n2_g, %n2_b {num_groups = 8 : i64}
      : (tensor<?x32x28x28xf32>, tensor<32xf32>, tensor<32xf32>) -> tensor<?x32x28x28xf32>
  %r_a2 = diffc.silu %r_n2 : tensor<?x32x28x28xf32>
  %r_c2 = diffc.conv2d %r_a2, %c2_w, %c2_b {padding = array<i64: 1, 1>}
      : (tensor<?x32x28x28xf32>, tensor<32x32x3x3xf32>, tensor<32xf32>)
      -> tensor<?x32x28x28xf32>
  %skip = diffc.add %h0, %r_c2
      : (tensor<?x32x28x28xf32>, tensor<?x32x28x28xf32>) -> tensor<?x32x28x28xf32>

  //===--------------------------------------------------------------------===//
  // down_blocks.0.downsamplers.0: stride-2 3x3 convolution, 28x28 -> 14x14.
  //===--------------------------------------------------------------------===//
  %ds_w = diffc.parameter "down_blocks.0.downsamplers.0.conv.weight" : tensor<32x32x3x3xf32>
  %ds_b = diffc.parameter "down_blocks.0.downsamplers.0.conv.bias" : tensor<32xf32>
  %d = diffc.conv2d %skip, %ds_w, %ds_b {stride = array<i64: 2, 2>, padding = array<i64: 1, 1>}
      : (tensor<?x32x28x28xf32>, tensor<32x32x3x3xf32>, tensor<32xf32>)
      -> tensor<?x32x14x14xf32>

  //===--------------------------------------------------------------------===//
  // mid_block.attentions.0: single-head self-attention over the 14 * 14 = 196
  // positions. The feature map becomes a [N, 196, 32] sequence, goes through
  // to_q / to_k / to_v, attention and to_out.0, and is added back.
  //===--------------------------------------------------------------------===//
  %an_g = diffc.parameter "mid_block.attentions.0.group_norm.weight" : tensor<32xf32>
  %an_b = diffc.parameter "mid_block.attentions.0.group_norm.bias" : tensor<32xf32>
  %q_w = diffc.parameter "mid_block.attentions.0.to_q.weight" : tensor<32x32xf32>
  %q_b = diffc.parameter "mid_block.attentions.0.to_q.bias" : tensor<32xf32>
  %k_w = diffc.parameter "mid_block.attentions.0.to_k.weight" : tensor<32x32xf32>
  %k_b = diffc.parameter "mid_block.attentions.0.to_k.bias" : tensor<32xf32>
  %v_w = diffc.parameter "mid_block.attentions.0.to_v.weight" : tensor<32x32xf32>
  %v_b = diffc.parameter "mid_block.attentions.0.to_v.bias" : tensor<32xf32>
  %o_w = diffc.parameter "mid_block.attentions.0.to_out.0.weight" : tensor<32x32xf32>
  %o_b = diffc.parameter "mid_block.attentions.0.to_out.0.bias" : tensor<32xf32>

  %a_n = diffc.group_norm %d, %an_g, %an_b {num_groups = 8 : i64}
      : (tensor<?x32x14x14xf32>, tensor<32xf32>, tensor<32xf32>) -> tensor<?x32x14x14xf32>
  // [N, C, H, W] -> [N, C, HW] -> [N, HW, C]
  %a_flat = diffc.reshape %a_n : (tensor<?x32x14x14xf32>) -> tensor<?x32x196xf32>
  %seq = diffc.transpose %a_flat {permutation = array<i64: 0, 2, 1>}
      : (tensor<?x32x196xf32>) -> tensor<?x196x32xf32>
  %q = diffc.linear %seq, %q_w, %q_b
      : (tensor<?x196x32xf32>, tensor<32x32xf32>, tensor<32xf32>) -> tensor<?x196x32xf32>
  %k = diffc.linear %seq, %k_w, %k_b
      : (tensor<?x196x32xf32>, tensor<32x32xf32>, tensor<32xf32>) -> tensor<?x196x32xf32>
  %v = diffc.linear %seq, %v_w, %v_b
      : (tensor<?x196x32xf32>, tensor<32x32xf32>, tensor<32xf32>) -> tensor<?x196x32xf32>
  // One head: softmax(q k^T / sqrt(32)) v.
  %att = diffc.attention %q, %k, %v
      : (tensor<?x196x32xf32>, tensor<?x196x32xf32>, tensor<?x196x32xf32>)
      -> tensor<?x196x32xf32>
  %proj = diffc.linear %att, %o_w, %o_b
      : (tensor<?x196x32xf32>, tensor<32x32xf32>, tensor<32xf32>) -> tensor<?x196x32xf32>
  // [N, HW, C] -> [N, C, HW] -> [N, C, H, W], then the residual.
  %proj_t = diffc.transpose %proj {permutation = array<i64: 0, 2, 1>}
      : (tensor<?x196x32xf32>) -> tensor<?x32x196xf32>
  %proj_4 = diffc.reshape %proj_t : (tensor<?x32x196xf32>) -> tensor<?x32x14x14xf32>
  %mid = diffc.add %d, %proj_4
      : (tensor<?x32x14x14xf32>, tensor<?x32x14x14xf32>) -> tensor<?x32x14x14xf32>

  //===--------------------------------------------------------------------===//
  // up_blocks.0.upsamplers.0: nearest 2x upsample and a 3x3 convolution back
  // at 28x28, then the U-Net skip connection: concatenate the ResNet block's
  // output along channels.
  //===--------------------------------------------------------------------===//
  %us_w = diffc.parameter "up_blocks.0.upsamplers.0.conv.weight" : tensor<32x32x3x3xf32>
  %us_b = diffc.parameter "up_blocks.0.upsamplers.0.conv.bias" : tensor<32xf32>
  %up = diffc.upsample_nearest %mid {scale = array<i64: 2, 2>}
      : (tensor<?x32x14x14xf32>) -> tensor<?x32x28x28xf32>
  %up_c = diffc.conv2d %up, %us_w, %us_b {padding = array<i64: 1, 1>}
      : (tensor<?x32x28x28xf32>, tensor<32x32x3x3xf32>, tensor<32xf32>)
      -> tensor<?x32x28x28xf32>
  %cat = diffc.concat %up_c, %skip {dim = 1 : i64}
      : (tensor<?x32x28x28xf32>, tensor<?x32x28x28xf32>) -> tensor<?x64x28x28xf32>

  //===--------------------------------------------------------------------===//
  // conv_norm_out, conv_act, conv_out: 64 -> 1 channel, the predicted noise.
  //===--------------------------------------------------------------------===//
  %on_g = diffc.parameter "conv_norm_out.weight" : tensor<64xf32>
  %on_b = diffc.parameter "conv_norm_out.bias" : tensor<64xf32>
  %out_w = diffc.parameter "conv_out.weight" : tensor<1x64x3x3xf32>
  %out_b = diffc.parameter "conv_out.bias" : tensor<1xf32>
  %o_n = diffc.group_norm %cat, %on_g, %on_b {num_groups = 8 : i64}
      : (tensor<?x64x28x28xf32>, tensor<64xf32>, tensor<64xf32>) -> tensor<?x64x28x28xf32>
  %o_a = diffc.silu %o_n : tensor<?x64x28x28xf32>
  %eps = diffc.conv2d %o_a, %out_w, %out_b {padding = array<i64: 1, 1>}
      : (tensor<?x64x28x28xf32>, tensor<1x64x3x3xf32>, tensor<1xf32>)
      -> tensor<?x1x28x28xf32>
  return %eps : tensor<?x1x28x28xf32>
}

// CHECK-LABEL: func.func @sample(
//  CHECK-SAME:   %[[N:.*]]: i64, %[[SEED:.*]]: i64, %[[ETA:.*]]: f32, %[[W:.*]]: f32, %[[BATCH:.*]]: index, %[[LABELS:.*]]: tensor<?xi64>, %[[NULL:.*]]: tensor<?xi64>) -> tensor<?x1x28x28xf32>
//       CHECK:   %{{.*}}, %{{.*}}, %[[ABAR:.*]] = diffc.noise_schedule linear {num_train_timesteps = 1000 : i64} : tensor<1000xf32>
//       CHECK:   %[[TS:.*]] = diffc.timesteps %[[N]] leading {num_train_timesteps = 1000 : i64, steps_offset = 1 : i64} : tensor<?xi64>
//       CHECK:   %[[XT:.*]] = diffc.random_normal %[[SEED]], %{{.*}}[%[[BATCH]]] : tensor<?x1x28x28xf32>
//       CHECK:   %[[X0:.*]] = diffc.sampler_loop %[[TS]] iter_args(%[[XT]] : tensor<?x1x28x28xf32>) : tensor<?xi64> -> tensor<?x1x28x28xf32> {
//  CHECK-NEXT:   ^bb0(%[[STEP:.*]]: index, %[[T:.*]]: i64, %[[TNEXT:.*]]: i64, %[[X:.*]]: tensor<?x1x28x28xf32>):
//       CHECK:     %[[TT:.*]] = tensor.splat %[[T]][%[[BATCH]]] : tensor<?xi64>
//       CHECK:     %[[EC:.*]] = func.call @denoiser(%[[X]], %[[TT]], %[[LABELS]])
//       CHECK:     %[[EU:.*]] = func.call @denoiser(%[[X]], %[[TT]], %[[NULL]])
//       CHECK:     %[[EPS:.*]] = diffc.cfg_combine %[[EU]], %[[EC]], %[[W]] : tensor<?x1x28x28xf32>, f32
//       CHECK:     arith.index_cast %[[STEP]] : index to i64
//       CHECK:     %[[Z:.*]] = diffc.random_normal %[[SEED]], %{{.*}}[%[[BATCH]]] : tensor<?x1x28x28xf32>
//       CHECK:     %[[X1:.*]] = diffc.ddim_step %[[EPS]], %[[X]], %[[ABAR]], %[[T]], %[[TNEXT]], %[[ETA]], %[[Z]] prediction epsilon
//       CHECK:     diffc.yield %[[X1]] : tensor<?x1x28x28xf32>
//       CHECK:   return %[[X0]] : tensor<?x1x28x28xf32>
func.func @sample(%n: i64, %seed: i64, %eta: f32, %w: f32, %batch: index,
                  %labels: tensor<?xi64>, %null: tensor<?xi64>)
    -> tensor<?x1x28x28xf32> {
  // The DDPM training schedule: 1000 linear betas from 1e-4 to 0.02.
  %betas, %alphas, %abar = diffc.noise_schedule linear
      {num_train_timesteps = 1000 : i64, beta_start = 1.0e-04 : f64, beta_end = 2.0e-02 : f64}
      : tensor<1000xf32>
  // %n inference timesteps out of the 1000, in decreasing order.
  %ts = diffc.timesteps %n leading {num_train_timesteps = 1000 : i64, steps_offset = 1 : i64}
      : tensor<?xi64>

  // Philox offsets count elements: the initial noise takes elements
  // [0, numel) of the stream, step i takes [(i + 1) numel, (i + 2) numel).
  %c0 = arith.constant 0 : i64
  %c1 = arith.constant 1 : i64
  %pixels = arith.constant 784 : i64
  %batch_i64 = arith.index_cast %batch : index to i64
  %numel = arith.muli %batch_i64, %pixels : i64
  %x_T = diffc.random_normal %seed, %c0 [%batch] : tensor<?x1x28x28xf32>

  %x_0 = diffc.sampler_loop %ts iter_args(%x_T : tensor<?x1x28x28xf32>)
      : tensor<?xi64> -> tensor<?x1x28x28xf32> {
  ^bb0(%step: index, %t: i64, %t_next: i64, %x: tensor<?x1x28x28xf32>):
    // The same timestep for every sample of the batch.
    %t_batch = tensor.splat %t[%batch] : tensor<?xi64>
    // Classifier-free guidance: eps = eps_null + w (eps_label - eps_null).
    %eps_cond = func.call @denoiser(%x, %t_batch, %labels)
        : (tensor<?x1x28x28xf32>, tensor<?xi64>, tensor<?xi64>) -> tensor<?x1x28x28xf32>
    %eps_uncond = func.call @denoiser(%x, %t_batch, %null)
        : (tensor<?x1x28x28xf32>, tensor<?xi64>, tensor<?xi64>) -> tensor<?x1x28x28xf32>
    %eps = diffc.cfg_combine %eps_uncond, %eps_cond, %w : tensor<?x1x28x28xf32>, f32
    // Fresh noise for this step (only used when eta > 0).
    %step_i64 = arith.index_cast %step : index to i64
    %block = arith.addi %step_i64, %c1 : i64
    %offset = arith.muli %block, %numel : i64
    %z = diffc.random_normal %seed, %offset [%batch] : tensor<?x1x28x28xf32>
    // x_t -> x_{t_next}; after the last step t_next is -1 and alpha-bar is 1.
    %x_prev = diffc.ddim_step %eps, %x, %abar, %t, %t_next, %eta, %z prediction epsilon
        : (tensor<?x1x28x28xf32>, tensor<?x1x28x28xf32>, tensor<1000xf32>, i64, i64, f32,
           tensor<?x1x28x28xf32>) -> tensor<?x1x28x28xf32>
    diffc.yield %x_prev : tensor<?x1x28x28xf32>
  }
  return %x_0 : tensor<?x1x28x28xf32>
}
