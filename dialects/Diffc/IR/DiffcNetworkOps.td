//===- DiffcNetworkOps.td - diffc network ops --------------*- tablegen -*-===//
//
// Part of the diffc project, under the Apache License v2.0.
//
//===----------------------------------------------------------------------===//
//
// Ops that build networks: U-Nets, autoencoders, classifiers, discriminators.
// Tensors are NCHW (NCFHW for video) and weights keep PyTorch's layouts, so a
// state dict maps onto `diffc.parameter` ops by name and shape.
//
//===----------------------------------------------------------------------===//

#ifndef DIFFC_NETWORK_OPS_TD
#define DIFFC_NETWORK_OPS_TD

include "DiffcBase.td"
include "DiffcEnums.td"
include "mlir/Interfaces/SideEffectInterfaces.td"

//===----------------------------------------------------------------------===//
// Parameters
//===----------------------------------------------------------------------===//

def Diffc_ParameterOp : Diffc_Op<"parameter", [Pure]> {
  let summary = "a named weight tensor, filled from a checkpoint at load time";
  let description = [{
    Names one learned tensor of the model. The name is the key of the tensor in
    the PyTorch / diffusers state dict (and so in the safetensors file), and
    the type is its shape. Parameters have static shapes.

    ```mlir
    %w = diffc.parameter "conv_in.weight" : tensor<64x1x3x3xf32>
    ```
  }];
  let arguments = (ins StrAttr:$name);
  let results = (outs Diffc_FloatTensor:$result);
  let assemblyFormat = "$name attr-dict `:` type($result)";
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Convolutions and matrix products
//===----------------------------------------------------------------------===//

def Diffc_Conv2DOp : Diffc_Op<"conv2d", [Pure]> {
  let summary = "2-D convolution over NCHW input with OIHW weights";
  let description = [{
    `torch.nn.functional.conv2d`: input `[N, C, H, W]`, weight
    `[O, C / groups, kH, kW]`, optional bias `[O]`. `padding` is symmetric,
    `[pH, pW]`. The output is `[N, O, Ho, Wo]` with
    `Ho = (H + 2 pH - dH (kH - 1) - 1) / sH + 1`.

    ```mlir
    %y = diffc.conv2d %x, %w, %b {padding = array<i64: 1, 1>}
        : (tensor<?x1x28x28xf32>, tensor<64x1x3x3xf32>, tensor<64xf32>)
        -> tensor<?x64x28x28xf32>
    ```
  }];
  let arguments = (ins
    Diffc_FloatTensor:$input,
    Diffc_FloatTensor:$weight,
    Optional<Diffc_FloatTensor>:$bias,
    DefaultValuedAttr<DenseI64ArrayAttr, "{1, 1}">:$stride,
    DefaultValuedAttr<DenseI64ArrayAttr, "{0, 0}">:$padding,
    DefaultValuedAttr<DenseI64ArrayAttr, "{1, 1}">:$dilation,
    DefaultValuedAttr<I64Attr, "1">:$groups);
  let results = (outs Diffc_FloatTensor:$result);
  let assemblyFormat = [{
    $input `,` $weight (`,` $bias^)? attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Diffc_Conv2DBackwardInputOp
    : Diffc_Op<"conv2d_backward_input", [Pure]> {
  let summary = "gradient of conv2d with respect to its input";
  let description = [{
    The vector-Jacobian product of `diffc.conv2d` with respect to its input
    (`torch.nn.grad.conv2d_input`): given the output gradient `dy`
    `[N, O, Ho, Wo]` and the weight `[O, C / groups, kH, kW]`, the result
    `[N, C, H, W]` is

    ```
    dx[n, c, h, w] = sum over o in c's group and taps i, j with
                     h = ho sH + i dH - pH and w = wo sW + j dW - pW of
                     dy[n, o, ho, wo] * weight[o, c mod (C / groups), i, j]
    ```

    `stride`, `padding`, `dilation` and `groups` are those of the forward
    convolution. The result type carries `H` and `W`, which the forward
    output extents do not determine when a stride exceeds 1: `Ho` must be
    the forward output extent of `H` (likewise `Wo` of `W`). Only the batch
    may be dynamic.

    ```mlir
    %dx = diffc.conv2d_backward_input %dy, %w
        {stride = array<i64: 2, 2>, padding = array<i64: 1, 1>}
        : (tensor<?x64x14x14xf32>, tensor<64x64x3x3xf32>)
        -> tensor<?x64x28x28xf32>
    ```
  }];
  let arguments = (ins
    Diffc_FloatTensor:$output_grad,
    Diffc_FloatTensor:$weight,
    DefaultValuedAttr<DenseI64ArrayAttr, "{1, 1}">:$stride,
    DefaultValuedAttr<DenseI64ArrayAttr, "{0, 0}">:$padding,
    DefaultValuedAttr<DenseI64ArrayAttr, "{1, 1}">:$dilation,
    DefaultValuedAttr<I64Attr, "1">:$groups);
  let results = (outs Diffc_FloatTensor:$result);
  let assemblyFormat = [{
    $output_grad `,` $weight attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Diffc_Conv2DBackwardWeightOp
    : Diffc_Op<"conv2d_backward_weight", [Pure]> {
  let summary = "gradient of conv2d with respect to its weight";
  let description = [{
    The vector-Jacobian product of `diffc.conv2d` with respect to its weight
    (`torch.nn.grad.conv2d_weight`): given the forward input `[N, C, H, W]`
    and the output gradient `dy` `[N, O, Ho, Wo]`, the result
    `[O, C / groups, kH, kW]` is

    ```
    dw[o, c, i, j] = sum over n, ho, wo of dy[n, o, ho, wo] *
                     input[n, g C / groups + c, ho sH + i dH - pH,
                           wo sW + j dW - pW]
    ```

    with g = o / (O / groups) and reads outside the input being zeros. The
    result type carries the kernel size; `Ho` and `Wo` must be the forward
    output extents for it. Only the batch may be dynamic.

    ```mlir
    %dw = diffc.conv2d_backward_weight %x, %dy {padding = array<i64: 1, 1>}
        : (tensor<?x64x28x28xf32>, tensor<?x64x28x28xf32>)
        -> tensor<64x64x3x3xf32>
    ```
  }];
  let arguments = (ins
    Diffc_FloatTensor:$input,
    Diffc_FloatTensor:$output_grad,
    DefaultValuedAttr<DenseI64ArrayAttr, "{1, 1}">:$stride,
    DefaultValuedAttr<DenseI64ArrayAttr, "{0, 0}">:$padding,
    DefaultValuedAttr<DenseI64ArrayAttr, "{1, 1}">:$dilation,
    DefaultValuedAttr<I64Attr, "1">:$groups);
  let results = (outs Diffc_FloatTensor:$result);
  let assemblyFormat = [{
    $input `,` $output_grad attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Diffc_Conv3DOp : Diffc_Op<"conv3d", [Pure]> {
  let summary = "3-D convolution over frames: NCFHW input, OIFHW weights";
  let description = [{
    The temporal convolution of video models ("align your latents"): input
    `[N, C, F, H, W]` with `F` frames, weight `[O, C / groups, kF, kH, kW]`,
    optional bias `[O]`; stride, padding and dilation have three entries
    (frames, height, width).

    ```mlir
    %y = diffc.conv3d %x, %w {padding = array<i64: 1, 0, 0>}
        : (tensor<1x64x8x16x16xf32>, tensor<64x64x3x1x1xf32>)
        -> tensor<1x64x8x16x16xf32>
    ```
  }];
  let arguments = (ins
    Diffc_FloatTensor:$input,
    Diffc_FloatTensor:$weight,
    Optional<Diffc_FloatTensor>:$bias,
    DefaultValuedAttr<DenseI64ArrayAttr, "{1, 1, 1}">:$stride,
    DefaultValuedAttr<DenseI64ArrayAttr, "{0, 0, 0}">:$padding,
    DefaultValuedAttr<DenseI64ArrayAttr, "{1, 1, 1}">:$dilation,
    DefaultValuedAttr<I64Attr, "1">:$groups);
  let results = (outs Diffc_FloatTensor:$result);
  let assemblyFormat = [{
    $input `,` $weight (`,` $bias^)? attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Diffc_LinearOp : Diffc_Op<"linear", [Pure]> {
  let summary = "affine map over the last dimension, PyTorch weight layout";
  let description = [{
    `torch.nn.functional.linear`: `y = x W^T + b` with input `[..., in]`,
    weight `[out, in]`, optional bias `[out]`, result `[..., out]`.

    ```mlir
    %h = diffc.linear %t, %w, %b
        : (tensor<?x64xf32>, tensor<256x64xf32>, tensor<256xf32>) -> tensor<?x256xf32>
    ```
  }];
  let arguments = (ins Diffc_FloatTensor:$input, Diffc_FloatTensor:$weight,
                       Optional<Diffc_FloatTensor>:$bias);
  let results = (outs Diffc_FloatTensor:$result);
  let assemblyFormat = [{
    $input `,` $weight (`,` $bias^)? attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Diffc_MatmulOp : Diffc_Op<"matmul", [Pure]> {
  let summary = "batched matrix product with broadcast batch dimensions";
  let description = [{
    `torch.matmul` for operands of rank 2 or more: `[..., M, K] x [..., K, N]
    -> [..., M, N]`, where the leading batch dimensions broadcast.

    ```mlir
    %s = diffc.matmul %q, %kt
        : (tensor<8x49x64xf32>, tensor<8x64x49xf32>) -> tensor<8x49x49xf32>
    ```
  }];
  let arguments = (ins Diffc_FloatTensor:$lhs, Diffc_FloatTensor:$rhs);
  let results = (outs Diffc_FloatTensor:$result);
  let assemblyFormat = [{
    $lhs `,` $rhs attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Normalization
//===----------------------------------------------------------------------===//

def Diffc_GroupNormOp : Diffc_Op<"group_norm", [Pure]> {
  let summary = "group normalization with per-channel affine parameters";
  let description = [{
    `torch.nn.GroupNorm(num_groups, C, eps)`: input `[N, C, ...]`, channels
    split into `num_groups` groups normalized over the group's channels and
    all spatial positions, then scaled by `gamma [C]` and shifted by
    `beta [C]`.

    ```mlir
    %y = diffc.group_norm %x, %g, %b {num_groups = 32 : i64, epsilon = 1.0e-06 : f64}
        : (tensor<?x64x28x28xf32>, tensor<64xf32>, tensor<64xf32>) -> tensor<?x64x28x28xf32>
    ```
  }];
  let arguments = (ins Diffc_FloatTensor:$input, Diffc_FloatTensor:$gamma,
                       Diffc_FloatTensor:$beta, I64Attr:$num_groups,
                       DefaultValuedAttr<F64Attr, "1.0e-5">:$epsilon);
  let results = (outs Diffc_FloatTensor:$result);
  let assemblyFormat = [{
    $input `,` $gamma `,` $beta attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Diffc_LayerNormOp : Diffc_Op<"layer_norm", [Pure]> {
  let summary = "layer normalization over the last dimension";
  let description = [{
    `torch.nn.LayerNorm(D, eps)` over the last dimension of `[..., D]`, with
    `gamma [D]` and `beta [D]`.

    ```mlir
    %y = diffc.layer_norm %x, %g, %b {epsilon = 1.0e-05 : f64}
        : (tensor<2x77x128xf32>, tensor<128xf32>, tensor<128xf32>) -> tensor<2x77x128xf32>
    ```
  }];
  let arguments = (ins Diffc_FloatTensor:$input, Diffc_FloatTensor:$gamma,
                       Diffc_FloatTensor:$beta,
                       DefaultValuedAttr<F64Attr, "1.0e-5">:$epsilon);
  let results = (outs Diffc_FloatTensor:$result);
  let assemblyFormat = [{
    $input `,` $gamma `,` $beta attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Elementwise ops
//===----------------------------------------------------------------------===//

class Diffc_UnaryOp<string mnemonic, string formula, list<Trait> traits = []>
    : Diffc_Op<mnemonic, !listconcat([Pure, SameOperandsAndResultType], traits)> {
  let summary = "elementwise " # mnemonic;
  let description = "Computes `" # formula # "` for every element.\n\n"
      "```mlir\n%y = diffc." # mnemonic # " %x : tensor<4x8xf32>\n```";
  let arguments = (ins Diffc_FloatTensor:$input);
  let results = (outs Diffc_FloatTensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($result)";
}

def Diffc_SiluOp : Diffc_UnaryOp<"silu", "x * sigmoid(x)">;
def Diffc_SigmoidOp : Diffc_UnaryOp<"sigmoid", "1 / (1 + exp(-x))">;
def Diffc_TanhOp : Diffc_UnaryOp<"tanh", "tanh(x)">;
def Diffc_ReluOp : Diffc_UnaryOp<"relu", "max(x, 0)">;
def Diffc_ExpOp : Diffc_UnaryOp<"exp", "exp(x)">;
def Diffc_LogOp : Diffc_UnaryOp<"log", "log(x)">;
def Diffc_SqrtOp : Diffc_UnaryOp<"sqrt", "sqrt(x)">;
def Diffc_RsqrtOp : Diffc_UnaryOp<"rsqrt", "1 / sqrt(x)">;
def Diffc_NegOp : Diffc_UnaryOp<"neg", "-x">;
def Diffc_AbsOp : Diffc_UnaryOp<"abs", "|x|">;

def Diffc_GeluOp : Diffc_Op<"gelu", [Pure, SameOperandsAndResultType]> {
  let summary = "elementwise GELU, exact or tanh-approximated";
  let description = [{
    `torch.nn.functional.gelu(x, approximate=...)`: `none` is
    `x * Phi(x)` with the Gaussian CDF, `tanh` the tanh approximation used by
    GEGLU feed-forward blocks.

    ```mlir
    %y = diffc.gelu tanh %x : tensor<2x77x512xf32>
    ```
  }];
  let arguments = (ins Diffc_FloatTensor:$input,
                       Diffc_GeluApproximationAttr:$approximation);
  let results = (outs Diffc_FloatTensor:$result);
  let assemblyFormat = "$approximation $input attr-dict `:` type($result)";
}

def Diffc_ClampOp : Diffc_Op<"clamp", [Pure, SameOperandsAndResultType]> {
  let summary = "elementwise clamp to [min, max]";
  let description = [{
    `torch.clamp(x, min, max)`.

    ```mlir
    %y = diffc.clamp %x {min = -1.0 : f64, max = 1.0 : f64} : tensor<4x1x28x28xf32>
    ```
  }];
  let arguments = (ins Diffc_FloatTensor:$input, F64Attr:$min, F64Attr:$max);
  let results = (outs Diffc_FloatTensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($result)";
  let hasVerifier = 1;
}

class Diffc_BinaryOp<string mnemonic, string formula>
    : Diffc_Op<mnemonic, [Pure]> {
  let summary = "elementwise " # mnemonic # " with NumPy broadcasting";
  let description = "Computes `" # formula # "` elementwise after broadcasting "
      "both operands to a common shape (NumPy rules: trailing dimensions align, "
      "a size-1 dimension stretches).\n\n"
      "```mlir\n%y = diffc." # mnemonic # " %a, %b : (tensor<4x64x7x7xf32>, "
      "tensor<4x64x1x1xf32>) -> tensor<4x64x7x7xf32>\n```";
  let arguments = (ins Diffc_FloatTensor:$lhs, Diffc_FloatTensor:$rhs);
  let results = (outs Diffc_FloatTensor:$result);
  let assemblyFormat = [{
    $lhs `,` $rhs attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Diffc_AddOp : Diffc_BinaryOp<"add", "lhs + rhs">;
def Diffc_SubOp : Diffc_BinaryOp<"sub", "lhs - rhs">;
def Diffc_MulOp : Diffc_BinaryOp<"mul", "lhs * rhs">;
def Diffc_DivOp : Diffc_BinaryOp<"div", "lhs / rhs">;
def Diffc_MaximumOp : Diffc_BinaryOp<"maximum", "max(lhs, rhs)">;
def Diffc_MinimumOp : Diffc_BinaryOp<"minimum", "min(lhs, rhs)">;
def Diffc_PowOp : Diffc_BinaryOp<"pow", "lhs ^ rhs">;

def Diffc_SoftmaxOp : Diffc_Op<"softmax", [Pure, SameOperandsAndResultType]> {
  let summary = "softmax along one axis";
  let description = [{
    `torch.softmax(x, dim=axis)`; a negative axis counts from the end.

    ```mlir
    %p = diffc.softmax %s {axis = -1 : i64} : tensor<8x49x49xf32>
    ```
  }];
  let arguments = (ins Diffc_FloatTensor:$input, I64Attr:$axis);
  let results = (outs Diffc_FloatTensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($result)";
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Attention
//===----------------------------------------------------------------------===//

def Diffc_AttentionOp : Diffc_Op<"attention", [Pure]> {
  let summary = "multi-head scaled dot-product attention, self or cross";
  let description = [{
    Queries `[B, Lq, E]`, keys `[B, Lk, E]`, values `[B, Lk, Ev]`, all already
    projected; `E` and `Ev` split into `num_heads` heads. Per head,
    `softmax(Q K^T * scale + mask) V`, heads concatenated back into
    `[B, Lq, Ev]`. Self-attention passes the same sequence for all three;
    cross-attention (latent diffusion conditioning) takes keys and values from
    the context `tau(y)`, so `Lk` may differ from `Lq`. The optional mask is
    `[B or 1, Lq or 1, Lk]`: `i1` (false = masked out) or float (added to the
    scores). `scale` defaults to `1 / sqrt(E / num_heads)`.

    ```mlir
    %o = diffc.attention %q, %k, %v {num_heads = 8 : i64}
        : (tensor<2x256x320xf32>, tensor<2x77x320xf32>, tensor<2x77x320xf32>)
        -> tensor<2x256x320xf32>
    ```
  }];
  let arguments = (ins Diffc_FloatTensor:$query, Diffc_FloatTensor:$key,
                       Diffc_FloatTensor:$value,
                       Optional<TensorOf<[I1, F16, BF16, F32, F64]>>:$mask,
                       DefaultValuedAttr<I64Attr, "1">:$num_heads,
                       OptionalAttr<F64Attr>:$scale);
  let results = (outs Diffc_FloatTensor:$result);
  let assemblyFormat = [{
    $query `,` $key `,` $value (`,` $mask^)? attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Data movement
//===----------------------------------------------------------------------===//

def Diffc_ConcatOp : Diffc_Op<"concat", [Pure]> {
  let summary = "concatenation along one dimension";
  let description = [{
    `torch.cat(inputs, dim)`; every other dimension must agree. The U-Net's
    skip connections concatenate along channels.

    ```mlir
    %c = diffc.concat %a, %b {dim = 1 : i64}
        : (tensor<?x128x14x14xf32>, tensor<?x64x14x14xf32>) -> tensor<?x192x14x14xf32>
    ```
  }];
  let arguments = (ins Variadic<Diffc_FloatTensor>:$inputs, I64Attr:$dim);
  let results = (outs Diffc_FloatTensor:$result);
  let assemblyFormat = "$inputs attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def Diffc_SliceOp : Diffc_Op<"slice", [Pure]> {
  let summary = "strided static slice";
  let description = [{
    Takes `sizes[d]` elements starting at `offsets[d]`, every `strides[d]`-th,
    in each dimension `d`. A size of `-1` takes the rest of the dimension (with
    stride 1), which keeps a dynamic batch dimension dynamic. Classifier-free
    guidance splits a doubled batch with two slices.

    ```mlir
    %u = diffc.slice %eps {offsets = array<i64: 0, 0, 0, 0>, sizes = array<i64: 2, 4, 32, 32>,
                           strides = array<i64: 1, 1, 1, 1>}
        : (tensor<4x4x32x32xf32>) -> tensor<2x4x32x32xf32>
    ```
  }];
  let arguments = (ins Diffc_FloatTensor:$input, DenseI64ArrayAttr:$offsets,
                       DenseI64ArrayAttr:$sizes, DenseI64ArrayAttr:$strides);
  let results = (outs Diffc_FloatTensor:$result);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def Diffc_ReshapeOp : Diffc_Op<"reshape", [Pure]> {
  let summary = "reshape to the result type's shape, row-major";
  let description = [{
    The element count is kept. At most one dynamic dimension is allowed on
    each side, and it must stand for the same extent (the batch), so the
    static parts must have equal products.

    ```mlir
    %f = diffc.reshape %x : (tensor<?x64x7x7xf32>) -> tensor<?x64x49xf32>
    ```
  }];
  let arguments = (ins Diffc_FloatTensor:$input);
  let results = (outs Diffc_FloatTensor:$result);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def Diffc_TransposeOp : Diffc_Op<"transpose", [Pure]> {
  let summary = "permutation of dimensions";
  let description = [{
    Result dimension `i` is input dimension `permutation[i]`
    (`torch.permute`).

    ```mlir
    %t = diffc.transpose %x {permutation = array<i64: 0, 2, 1>}
        : (tensor<?x64x49xf32>) -> tensor<?x49x64xf32>
    ```
  }];
  let arguments = (ins Diffc_FloatTensor:$input, DenseI64ArrayAttr:$permutation);
  let results = (outs Diffc_FloatTensor:$result);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def Diffc_UpsampleNearestOp : Diffc_Op<"upsample_nearest", [Pure]> {
  let summary = "nearest-neighbour upsampling of NCHW by integer factors";
  let description = [{
    `torch.nn.functional.interpolate(x, scale_factor=s, mode="nearest")` for
    integer factors `[sH, sW]`.

    ```mlir
    %u = diffc.upsample_nearest %x {scale = array<i64: 2, 2>}
        : (tensor<?x128x7x7xf32>) -> tensor<?x128x14x14xf32>
    ```
  }];
  let arguments = (ins Diffc_FloatTensor:$input,
                       DefaultValuedAttr<DenseI64ArrayAttr, "{2, 2}">:$scale);
  let results = (outs Diffc_FloatTensor:$result);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def Diffc_AvgPool2DOp : Diffc_Op<"avg_pool2d", [Pure]> {
  let summary = "2-D average pooling of NCHW (strided downsample)";
  let description = [{
    `torch.nn.functional.avg_pool2d(x, kernel, stride, padding)` with
    `count_include_pad=True`; the U-Net's non-convolutional downsample is a
    2x2 pool with stride 2.

    ```mlir
    %d = diffc.avg_pool2d %x {kernel = array<i64: 2, 2>, stride = array<i64: 2, 2>}
        : (tensor<?x64x28x28xf32>) -> tensor<?x64x14x14xf32>
    ```
  }];
  let arguments = (ins Diffc_FloatTensor:$input, DenseI64ArrayAttr:$kernel,
                       DenseI64ArrayAttr:$stride,
                       DefaultValuedAttr<DenseI64ArrayAttr, "{0, 0}">:$padding);
  let results = (outs Diffc_FloatTensor:$result);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Embeddings and quantization
//===----------------------------------------------------------------------===//

def Diffc_TimestepEmbeddingOp : Diffc_Op<"timestep_embedding", [Pure]> {
  let summary = "sinusoidal timestep embedding";
  let description = [{
    diffusers' `get_timestep_embedding(t, dim, flip_sin_to_cos,
    downscale_freq_shift, scale, max_period)`: with `h = dim / 2` and
    `f_i = exp(-ln(max_period) * i / (h - downscale_freq_shift))`, the
    embedding of `t` is `[sin(scale t f), cos(scale t f)]` (cos first when
    `flip_sin_to_cos`), zero-padded when `dim` is odd. Timesteps `[N]`,
    integer or float; result `[N, dim]`.

    ```mlir
    %e = diffc.timestep_embedding %t {dim = 64 : i64, flip_sin_to_cos = true}
        : (tensor<?xi64>) -> tensor<?x64xf32>
    ```
  }];
  let arguments = (ins RankedTensorOf<[I32, I64, F16, BF16, F32, F64]>:$timesteps,
                       I64Attr:$dim,
                       DefaultValuedAttr<BoolAttr, "false">:$flip_sin_to_cos,
                       DefaultValuedAttr<F64Attr, "1.0">:$downscale_freq_shift,
                       DefaultValuedAttr<F64Attr, "1.0">:$scale,
                       DefaultValuedAttr<F64Attr, "10000.0">:$max_period);
  let results = (outs Diffc_FloatTensor:$result);
  let assemblyFormat = "$timesteps attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def Diffc_EmbeddingOp : Diffc_Op<"embedding", [Pure]> {
  let summary = "table lookup: class labels or tokens to vectors";
  let description = [{
    `torch.nn.functional.embedding(indices, table)`: table `[V, D]`, integer
    indices of any shape `S`, result `S x [D]`. Classifier-free guidance
    reserves one row as the null class.

    Out-of-range indices: where PyTorch raises an error for an index outside
    `[0, V)` (negative ones included), compiled code has no error channel, so
    the result row for such an index is all NaN. The table is never read out
    of bounds, and the NaN propagates into everything computed from the row
    instead of a neighbouring row being used silently.

    ```mlir
    %c = diffc.embedding %table, %labels : (tensor<11x256xf32>, tensor<?xi64>) -> tensor<?x256xf32>
    ```
  }];
  let arguments = (ins Diffc_FloatTensor:$table, Diffc_IndexTensor:$indices);
  let results = (outs Diffc_FloatTensor:$result);
  let assemblyFormat = [{
    $table `,` $indices attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Diffc_VectorQuantizeOp : Diffc_Op<"vector_quantize", [Pure]> {
  let summary = "nearest codebook entry per position (VQ-VAE / VQGAN)";
  let description = [{
    For every position of `input` (all dimensions but `axis`), picks the
    codebook row `[K, D]` at the smallest Euclidean distance from the `D`-vector
    along `axis`, and returns the quantized tensor (same type as the input)
    and the chosen indices (the input shape without `axis`). Gradients pass
    straight through (handled by the autodiff rule).

    ```mlir
    %zq, %idx = diffc.vector_quantize %z, %codebook {axis = 1 : i64}
        : (tensor<?x4x8x8xf32>, tensor<512x4xf32>) -> (tensor<?x4x8x8xf32>, tensor<?x8x8xi64>)
    ```
  }];
  let arguments = (ins Diffc_FloatTensor:$input, Diffc_FloatTensor:$codebook,
                       DefaultValuedAttr<I64Attr, "1">:$axis);
  let results = (outs Diffc_FloatTensor:$quantized, Diffc_IndexTensor:$indices);
  let assemblyFormat = [{
    $input `,` $codebook attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Diffc_StopGradientOp
    : Diffc_Op<"stop_gradient", [Pure, SameOperandsAndResultType]> {
  let summary = "identity whose gradient is zero (the seed's sg[.])";
  let description = [{
    Forward: the input unchanged. Backward: no gradient flows through it, as
    in the VQ-VAE commitment and codebook losses.

    ```mlir
    %s = diffc.stop_gradient %z : tensor<?x4x8x8xf32>
    ```
  }];
  let arguments = (ins Diffc_FloatTensor:$input);
  let results = (outs Diffc_FloatTensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($result)";
}

//===----------------------------------------------------------------------===//
// Reductions and losses
//===----------------------------------------------------------------------===//

def Diffc_ReduceOp : Diffc_Op<"reduce", [Pure]> {
  let summary = "sum, mean or max over a set of dimensions";
  let description = [{
    Reduces `dims` (each once, negative counting from the end); with
    `keep_dims` they stay as size 1.

    ```mlir
    %m = diffc.reduce mean %x {dims = array<i64: 2, 3>, keep_dims = true}
        : (tensor<?x64x7x7xf32>) -> tensor<?x64x1x1xf32>
    ```
  }];
  let arguments = (ins Diffc_FloatTensor:$input, Diffc_ReduceKindAttr:$kind,
                       DenseI64ArrayAttr:$dims,
                       DefaultValuedAttr<BoolAttr, "false">:$keep_dims);
  let results = (outs Diffc_FloatTensor:$result);
  let assemblyFormat = "$kind $input attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

class Diffc_LossOp<string mnemonic, list<Trait> traits = []>
    : Diffc_Op<mnemonic, !listconcat([Pure], traits)> {
  let results = (outs Diffc_FloatTensor:$result);
  let hasVerifier = 1;
}

def Diffc_MseLossOp : Diffc_LossOp<"mse_loss"> {
  let summary = "mean squared error (the seed's L_simple)";
  let description = [{
    `(input - target)^2`, reduced by `reduction` (`mean` gives a rank-0
    tensor, `none` keeps the shape). Input and target have the same type.

    ```mlir
    %l = diffc.mse_loss mean %eps_pred, %eps : (tensor<64x1x28x28xf32>, tensor<64x1x28x28xf32>) -> tensor<f32>
    ```
  }];
  let arguments = (ins Diffc_FloatTensor:$input, Diffc_FloatTensor:$target,
                       Diffc_LossReductionAttr:$reduction);
  let assemblyFormat = [{
    $reduction $input `,` $target attr-dict `:` functional-type(operands, results)
  }];
}

def Diffc_GaussianKLOp : Diffc_LossOp<"gaussian_kl"> {
  let summary = "KL(N(mu, exp(logvar)) || N(0, I)) of a VAE posterior";
  let description = [{
    Elementwise `1/2 (-logvar + exp(logvar) + mu^2 - 1)`, reduced by
    `reduction`; `mu` and `logvar` have the same type.

    ```mlir
    %kl = diffc.gaussian_kl sum %mu, %logvar : (tensor<8x4x7x7xf32>, tensor<8x4x7x7xf32>) -> tensor<f32>
    ```
  }];
  let arguments = (ins Diffc_FloatTensor:$mean, Diffc_FloatTensor:$logvar,
                       Diffc_LossReductionAttr:$reduction);
  let assemblyFormat = [{
    $reduction $mean `,` $logvar attr-dict `:` functional-type(operands, results)
  }];
}

def Diffc_BceWithLogitsLossOp : Diffc_LossOp<"bce_with_logits_loss"> {
  let summary = "binary cross-entropy on logits";
  let description = [{
    `torch.nn.functional.binary_cross_entropy_with_logits`: elementwise
    `max(x, 0) - x y + log(1 + exp(-|x|))`, reduced by `reduction`. The
    seed's GAN loss `log D(x) + log(1 - D(x^))` is this with targets 1 and 0.

    ```mlir
    %l = diffc.bce_with_logits_loss mean %logits, %targets : (tensor<8x1x6x6xf32>, tensor<8x1x6x6xf32>) -> tensor<f32>
    ```
  }];
  let arguments = (ins Diffc_FloatTensor:$input, Diffc_FloatTensor:$target,
                       Diffc_LossReductionAttr:$reduction);
  let assemblyFormat = [{
    $reduction $input `,` $target attr-dict `:` functional-type(operands, results)
  }];
}

def Diffc_HingeLossOp : Diffc_LossOp<"hinge_loss"> {
  let summary = "hinge adversarial loss on discriminator logits";
  let description = [{
    VQGAN's hinge loss: `relu(1 - x)` for `real`, `relu(1 + x)` for `fake`
    (discriminator side) and `-x` for `generator`, reduced by `reduction`.

    ```mlir
    %l = diffc.hinge_loss real mean %logits : (tensor<8x1x6x6xf32>) -> tensor<f32>
    ```
  }];
  let arguments = (ins Diffc_FloatTensor:$input, Diffc_GanTargetAttr:$target,
                       Diffc_LossReductionAttr:$reduction);
  let assemblyFormat = [{
    $target $reduction $input attr-dict `:` functional-type(operands, results)
  }];
}

#endif // DIFFC_NETWORK_OPS_TD
