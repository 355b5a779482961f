// diffc-run's sample command end to end: compile a model with samplers,
// sample to PNG and .npy, and refuse bad input with one line, exit 1 and no
// output file.
// RUN: rm -rf %t && mkdir -p %t
// RUN: diffc compile %S/Inputs/toy_model.mlir --sampler=ddim -o %t/toy.diffc
// RUN: %python %S/Inputs/make_weights.py %t/w.safetensors scale.weight 1x1x1 2.0
// RUN: %python %S/Inputs/make_weights.py %t/wrong.safetensors scale.weight 2x1x1 2.0

// A 4-image grid, each 4x4 pixels upscaled 3x with 2-pixel padding: 30x30.
// RUN: diffc-run %t/toy.diffc sample --steps 10 --batch 4 --seed 3 --weights %t/w.safetensors --out %t/grid.png --out %t/x0.npy
// RUN: %python %S/Inputs/pngcheck.py %t/grid.png | FileCheck %s --check-prefix=PNG
// PNG: png 30x30 channels=1 depth=8
// The same seed gives the same samples; x_T from --init reproduces them.
// RUN: diffc-run %t/toy.diffc sample --steps 10 --batch 4 --seed 3 --weights %t/w.safetensors --out %t/again.npy
// RUN: cmp %t/x0.npy %t/again.npy

// Errors: a sampler that was not compiled, a missing weight, a wrong-shape
// weight, an init tensor of the wrong shape, a bad --out name.
// RUN: not diffc-run %t/toy.diffc sample --sampler ddpm --weights %t/w.safetensors --out %t/no1.png 2>&1 | FileCheck %s --check-prefix=NODDPM
// NODDPM: diffc-run: error: {{.*}}toy.diffc has no ddpm sampler (entry 'sample_ddpm'): compile it with diffc compile --sampler=ddpm
// RUN: not diffc-run %t/toy.diffc sample --out %t/no2.png 2>&1 | FileCheck %s --check-prefix=NOWEIGHT
// NOWEIGHT: diffc-run: error: {{.*}}toy.diffc: no weight 'scale.weight' (tensor<1x1x1xf32>)
// RUN: not diffc-run %t/toy.diffc sample --weights %t/wrong.safetensors --out %t/no3.png 2>&1 | FileCheck %s --check-prefix=WRONG
// WRONG: diffc-run: error: {{.*}}weight 'scale.weight' is tensor<2x1x1xf32> in {{.*}}wrong.safetensors, the model expects tensor<1x1x1xf32>
// RUN: %python -c "import numpy as np; np.save('%t/bad_init.npy', np.ones((2, 1, 5, 4), np.float32))"
// RUN: not diffc-run %t/toy.diffc sample --weights %t/w.safetensors --init %t/bad_init.npy --out %t/no4.png 2>&1 | FileCheck %s --check-prefix=INIT
// INIT: diffc-run: error: {{.*}}toy.diffc: entry point "sample_ddim": input 0: expected tensor<?x1x4x4xf32>, got tensor<2x1x5x4xf32> (dimension 2 must be 4)
// RUN: not diffc-run %t/toy.diffc sample --weights %t/w.safetensors --out %t/no5.jpg 2>&1 | FileCheck %s --check-prefix=EXT
// EXT: diffc-run: error: --out {{.*}}no5.jpg: expected a .npy or .png file name
// RUN: not diffc-run %t/toy.diffc sample --steps 0 --weights %t/w.safetensors 2>&1 | FileCheck %s --check-prefix=STEPS
// STEPS: diffc-run: error: --steps must be at least 1, got 0
// RUN: not ls %t/no1.png %t/no2.png %t/no3.png %t/no4.png %t/no5.jpg
