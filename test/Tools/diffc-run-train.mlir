// diffc-run's train command end to end on a hand-written train_step (the
// toy per-pixel linear denoiser of Inputs/toy_train.py, gradient by hand):
// the loss decreases, a resumed run continues bit for bit, a diverging run
// stops at the first non-finite loss, bad input is one line and exit 1.
// RUN: rm -rf %t && mkdir -p %t
// RUN: %python %S/Inputs/toy_train.py 1 8 8 --weights %t/init.safetensors 0 0 > %t/toy.mlir
// RUN: diffc compile %t/toy.mlir --sampler=ddim --weights %t/init.safetensors -o %t/toy.diffc
// RUN: diffc compile %t/toy.mlir -o %t/bare.diffc

// The module's diffc.metadata became artifact metadata.
// RUN: diffc-run %t/toy.diffc inspect | FileCheck %s --check-prefix=META
// META: "train.config": "{\"num_train_timesteps\": 1000,
// META: "train.parameters": "[\"w\", \"b\"]"

// The loss decreases on sklearn's digits; the progress is a line every 6
// steps when stderr is not a terminal; the EMA weights sample.
// RUN: diffc-run %t/toy.diffc train --data digits --batch 64 --lr 0.05 --steps 60 --seed 1 --log %t/a.csv --out-ema %t/ema.safetensors 2> %t/a.err
// RUN: %python %S/Inputs/train_check.py decreasing %t/a.csv
// RUN: %python %S/Inputs/train_check.py steps %t/a.csv 60
// RUN: FileCheck %s --check-prefix=PROGRESS < %t/a.err
// PROGRESS: step  6/60  loss {{[0-9.e-]+}}  {{[0-9]+}} img/s  ETA {{[0-9]+:[0-9][0-9]}}
// PROGRESS: step 60/60  loss
// RUN: diffc-run %t/toy.diffc sample --weights %t/ema.safetensors --steps 5 --batch 4 --out %t/s.png
// RUN: head -1 %t/a.csv | FileCheck %s --check-prefix=HEADER
// HEADER: step,loss,lr

// --epochs: 1797 digits in batches of 600 is 3 steps; the warm-up ramps the
// learning rate linearly.
// RUN: diffc-run %t/toy.diffc train --data digits --batch 600 --epochs 1 --lr 0.01 --warmup 2 --log %t/e.csv
// RUN: FileCheck %s --check-prefix=EPOCH < %t/e.csv
// EPOCH: 1,{{.*}},0.00499999989
// EPOCH-NEXT: 2,{{.*}},0.00999999978
// EPOCH-NEXT: 3,{{.*}},0.00999999978

// Resume: 10 steps, then 10 more from the checkpoint, log exactly the 20
// steps of the uninterrupted run (with flips and warm-up); the final EMA
// weights are byte-identical. The options come from the checkpoint; a
// stale temporary file of a killed write is removed.
// RUN: diffc-run %t/toy.diffc train --data digits --batch 16 --lr 0.02 --warmup 5 --flip --steps 20 --seed 7 --log %t/full.csv --out-ema %t/full-ema.safetensors
// RUN: diffc-run %t/toy.diffc train --data digits --batch 16 --lr 0.02 --warmup 5 --flip --steps 10 --seed 7 --checkpoint-dir %t/ck --checkpoint-every 4 --log %t/part.csv
// RUN: touch %t/ck/latest.safetensors.tmp.999.0
// RUN: diffc-run %t/toy.diffc train --resume %t/ck/latest.safetensors --steps 20 --log %t/part.csv --out-ema %t/part-ema.safetensors -v 2> %t/resume.err
// RUN: cmp %t/full.csv %t/part.csv
// RUN: cmp %t/full-ema.safetensors %t/part-ema.safetensors
// RUN: not ls %t/ck/latest.safetensors.tmp.999.0
// RUN: FileCheck %s --check-prefix=RESUME < %t/resume.err
// RESUME: removed 1 temporary file(s) of an interrupted checkpoint write
// RESUME: batch 16, steps 11..20, resumed from {{.*}}latest.safetensors, random flips
// A resumed run keeps its seed, batch and data.
// RUN: not diffc-run %t/toy.diffc train --resume %t/ck/latest.safetensors --steps 30 --seed 8 2>&1 | FileCheck %s --check-prefix=SEED
// SEED: diffc-run: error: --seed 8 differs from 7 in {{.*}}latest.safetensors; a resumed run keeps its seed

// An absurd learning rate diverges: the run stops at the first non-finite
// loss, names the last checkpoint with finite weights, exits 1.
// RUN: not diffc-run %t/toy.diffc train --data digits --batch 8 --lr 1e30 --steps 5 --checkpoint-dir %t/nan --checkpoint-every 1 --log %t/nan.csv 2>&1 | FileCheck %s --check-prefix=NAN
// NAN: diffc-run: error: loss is {{nan|inf}} at step 2; last good checkpoint: {{.*}}nan/latest.safetensors
// RUN: %python -c "import json,struct; f=open('%t/nan/latest.safetensors','rb'); n=struct.unpack('<Q', f.read(8))[0]; print(json.loads(f.read(n))['__metadata__']['diffc.step'])" | FileCheck %s --check-prefix=NANSTEP
// NANSTEP: 1

// A damaged checkpoint, a weights file given as a checkpoint.
// RUN: head -c 1000 %t/ck/latest.safetensors > %t/cut.safetensors
// RUN: not diffc-run %t/toy.diffc train --resume %t/cut.safetensors --steps 30 2>&1 | FileCheck %s --check-prefix=CUT
// CUT: diffc-run: error: {{.*}}cut.safetensors: {{.*}}
// CUT-NOT: {{.}}
// RUN: not diffc-run %t/toy.diffc train --resume %t/ema.safetensors --steps 30 2>&1 | FileCheck %s --check-prefix=NOTCKPT
// NOTCKPT: diffc-run: error: {{.*}}ema.safetensors: not a diffc training checkpoint (no metadata entry 'diffc.checkpoint')

// Data of the wrong size: named with both shapes.
// RUN: not diffc-run %t/toy.diffc train --data fashion-mnist --steps 1 2>&1 | FileCheck %s --check-prefix=SIZE
// SIZE: diffc-run: error: /usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz: images are 1x28x28, the model's sample shape is 1x8x8

// A folder of PNGs trains; one of another size is named.
// RUN: %python %S/Inputs/make_pngs.py %t/png 5 8 8 1
// RUN: diffc-run %t/toy.diffc train --data %t/png --batch 3 --steps 4 --log %t/png.csv
// RUN: %python %S/Inputs/train_check.py steps %t/png.csv 4
// RUN: %python %S/Inputs/make_pngs.py %t/png 1 9 8 1 odd
// RUN: not diffc-run %t/toy.diffc train --data %t/png --steps 1 2>&1 | FileCheck %s --check-prefix=PNGSIZE
// PNGSIZE: diffc-run: error: {{.*}}png/odd000.png: image is 1x8x9, the model's sample shape is 1x8x8

// No initial weights anywhere; an artifact without train_step; usage.
// RUN: not diffc-run %t/bare.diffc train --data digits --steps 1 2>&1 | FileCheck %s --check-prefix=NOINIT
// NOINIT: diffc-run: error: no initial value for parameter 'w' (tensor<1x8x8xf32>): no --weights file given and {{.*}}bare.diffc embeds no weight of that name
// With the initial weights from --weights; a resumed run needs none (the
// checkpoint also binds the sampler model's parameters).
// RUN: diffc-run %t/bare.diffc train --weights %t/init.safetensors --data digits --batch 8 --steps 3 --checkpoint-dir %t/bare-ck
// RUN: diffc-run %t/bare.diffc train --resume %t/bare-ck/latest.safetensors --steps 5 --out-ema %t/bare-ema.safetensors
// RUN: diffc compile %S/Inputs/toy_model.mlir -o %t/plain.diffc
// RUN: not diffc-run %t/plain.diffc train --data digits --steps 1 2>&1 | FileCheck %s --check-prefix=NOTRAIN
// NOTRAIN: diffc-run: error: {{.*}}plain.diffc: no entry point "train_step": this artifact cannot be trained
// RUN: not diffc-run %t/toy.diffc train --data digits 2>&1 | FileCheck %s --check-prefix=LENGTH
// LENGTH: diffc-run: error: give the length of the run: --steps N or --epochs E (see diffc-run --help)
// RUN: not diffc-run %t/toy.diffc train --data digits --steps 1 --lr -1 2>&1 | FileCheck %s --check-prefix=LR
// LR: diffc-run: error: --lr needs a positive number, got '-1' (see diffc-run --help)
// RUN: not diffc-run %t/toy.diffc sample --lr 1 2>&1 | FileCheck %s --check-prefix=WRONGCMD
// WRONGCMD: diffc-run: error: --lr: training options belong to the train command
// RUN: diffc-run --help | FileCheck %s --check-prefix=HELP
// HELP: diffc-run MODEL.diffc train
// HELP: --checkpoint-every
// HELP: --resume
