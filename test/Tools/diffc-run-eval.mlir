// diffc-run's eval command end to end on a tiny classifier of sklearn's
// 8x8 digits, trained here by diffc-run train through its compiled
// classifier train_step (labels passed by the driver): FID and confidence
// against numpy/scipy recomputations from the classifier's own outputs, the
// reference set against itself (FID 0), shifted samples (FID > 0), the
// statistics cache and its key, --generate, and one-line errors.
// RUN: rm -rf %t && mkdir -p %t
// RUN: diffc-zoo classifier --sample-size=8 --channels=8 --feature-dim=16 --init-weights=%t/init.safetensors -o %t/clf.mlir
// RUN: diffc compile %t/clf.mlir --train=classifier -o %t/clf.diffc

// Training on labelled data: the cross-entropy falls well below log(10).
// RUN: diffc-run %t/clf.diffc train --weights %t/init.safetensors --data digits --batch 64 --lr 0.01 --steps 80 --ema-decay 0.9 --log %t/train.csv --checkpoint-dir %t/ck -v 2> %t/train.err
// RUN: %python %S/Inputs/train_check.py decreasing %t/train.csv
// RUN: FileCheck %s --check-prefix=TRAIN < %t/train.err
// TRAIN: diffc-run: training 6 parameters (2314 values)
// TRAIN-SAME: on digits: 1797 images 1x8x8, batch 64, steps 1..80, from initial weights
// RUN: tail -1 %t/train.csv | %python -c "import sys; l = float(sys.stdin.read().split(',')[1]); print('ok' if l < 1.0 else 'FAIL', l)" | FileCheck %s --check-prefix=LOSS
// LOSS: ok
// A folder of images has no labels to learn.
// RUN: %python %S/Inputs/make_pngs.py %t/png 3 8 8 1
// RUN: not diffc-run %t/clf.diffc train --weights %t/init.safetensors --data %t/png --steps 1 2>&1 | FileCheck %s --check-prefix=NOLABELS
// NOLABELS: diffc-run: error: {{.*}}png: no labels; the artifact trains a classifier, which needs labelled data (fashion-mnist, fashion-mnist-test, digits)
// Labels beyond the classifier's classes are refused before training.
// RUN: diffc-zoo classifier --sample-size=8 --channels=8 --feature-dim=16 --num-classes=5 -o %t/five.mlir
// RUN: diffc compile %t/five.mlir --train=classifier -o %t/five.diffc
// RUN: not diffc-run %t/five.diffc train --weights %t/init.safetensors --data digits --steps 1 2>&1 | FileCheck %s --check-prefix=RANGE
// RANGE: diffc-run: error: {{.*}}digits.csv.gz: label {{[5-9]}} of image {{[0-9]+}} is outside [0, 5), the classifier's classes

// The accuracy on the training digits; the reference statistics get cached
// beside the weights.
// RUN: cp %t/ck/ema.safetensors %t/w.safetensors
// RUN: diffc-run %t/clf.diffc eval --weights %t/w.safetensors --reference digits --accuracy --json > %t/acc.json
// RUN: %python %S/Inputs/eval_inputs.py json %t/acc.json reference.accuracy '>' 0.8
// RUN: %python %S/Inputs/eval_inputs.py json %t/acc.json reference.images == 1797
// RUN: ls %t/w.fid-digits.safetensors

// The reference set against itself: FID 0 (to rounding), with the cache.
// RUN: %python %S/Inputs/eval_inputs.py digits %t/digits.npy
// RUN: diffc-run %t/clf.diffc eval --weights %t/w.safetensors --reference digits --samples %t/digits.npy | FileCheck %s --check-prefix=SELF
// SELF:      classifier  {{.*}}clf.diffc with {{.*}}w.safetensors: 16 features, 10 classes
// SELF-NEXT: reference   digits: 1797 images, accuracy {{[0-9.]+}}% ({{[0-9]+}} correct); statistics from {{.*}}w.fid-digits.safetensors
// SELF-NEXT: samples     {{.*}}digits.npy: 1797 images, values in [-1, 1]
// SELF-NEXT: FID         0.0000
// SELF-NEXT: confident   {{[0-9.]+}}% of the samples have max p > 0.9

// FID and confidence of shifted samples against numpy/scipy recomputed
// from the classifier's outputs (diffc-run call classifier).
// RUN: %python %S/Inputs/eval_inputs.py digits %t/shift.npy --shift 0.4 --count 400
// RUN: diffc-run %t/clf.diffc eval --weights %t/w.safetensors --reference digits --samples %t/shift.npy --eval-batch 64 --json > %t/shift.json
// RUN: diffc-run %t/clf.diffc call classifier --weights %t/w.safetensors --arg %t/shift.npy --out %t/shift_logits.npy --out %t/shift_features.npy
// RUN: diffc-run %t/clf.diffc call classifier --weights %t/w.safetensors --arg %t/digits.npy --out %t/ref_logits.npy --out %t/ref_features.npy
// RUN: %python %S/Inputs/eval_inputs.py reference %t/shift.json %t/shift_logits.npy %t/shift_features.npy %t/ref_features.npy | FileCheck %s --check-prefix=REF
// REF: ok: FID
// RUN: %python %S/Inputs/eval_inputs.py json %t/shift.json fid '>' 1
// RUN: %python %S/Inputs/eval_inputs.py json %t/shift.json reference.cached == 1
// A subset of the digits themselves is close, but not at 0.
// RUN: %python %S/Inputs/eval_inputs.py digits %t/half.npy --count 900
// RUN: diffc-run %t/clf.diffc eval --weights %t/w.safetensors --reference digits --samples %t/half.npy --json > %t/half.json
// RUN: %python %S/Inputs/eval_inputs.py json %t/half.json fid '>' 0.0001
// RUN: %python -c "import json; a = json.load(open('%t/half.json'))['fid']; b = json.load(open('%t/shift.json'))['fid']; print('ok' if a < b / 10 else 'FAIL', a, b)" | FileCheck %s --check-prefix=CLOSER
// CLOSER: ok

// The cache key follows the weights: other weights recompute (and
// overwrite), `--stats-cache none` writes nothing, a damaged cache is
// recomputed.
// RUN: cp %t/init.safetensors %t/w.safetensors
// RUN: diffc-run %t/clf.diffc eval --weights %t/w.safetensors --reference digits --samples %t/half.npy -v 2>&1 | FileCheck %s --check-prefix=STALE
// STALE: computing the statistics of digits (cache {{.*}}w.fid-digits.safetensors: for other weights or data (key {{[0-9a-f]+}}, now {{[0-9a-f]+}}))
// STALE: statistics cached in {{.*}}w.fid-digits.safetensors
// RUN: diffc-run %t/clf.diffc eval --weights %t/init.safetensors --reference digits --samples %t/half.npy --stats-cache none > %t/none.out
// RUN: not ls %t/init.fid-digits.safetensors
// RUN: head -c 100 %t/w.fid-digits.safetensors > %t/cut.safetensors
// RUN: diffc-run %t/clf.diffc eval --weights %t/w.safetensors --reference digits --samples %t/half.npy --stats-cache %t/cut.safetensors -v 2>&1 | FileCheck %s --check-prefix=CUT
// CUT: computing the statistics of digits (cache {{.*}}cut.safetensors: {{.*}}cut.safetensors: {{.*}})
// CUT: statistics cached in {{.*}}cut.safetensors

// --generate: samples drawn here with a sampler artifact, batch k with seed
// S + k, i.e. what `sample --seed S+k` draws.
// RUN: %python %S/Inputs/toy_train.py 1 8 8 --weights %t/toy-init.safetensors 0.5 0 > %t/toy.mlir
// RUN: diffc compile %t/toy.mlir --sampler=ddim -o %t/toy.diffc
// RUN: diffc-run %t/clf.diffc eval --weights %t/w.safetensors --reference digits --generate %t/toy.diffc --generate-weights %t/toy-init.safetensors --steps 3 --num-samples 12 --batch 5 --seed 4 --save-samples %t/gen.npy --json > %t/gen.json
// RUN: %python %S/Inputs/eval_inputs.py json %t/gen.json samples.images == 12
// RUN: %python %S/Inputs/eval_inputs.py json %t/gen.json generate.steps == 3
// RUN: diffc-run %t/toy.diffc sample --weights %t/toy-init.safetensors --steps 3 --batch 5 --seed 4 --out %t/g0.npy
// RUN: diffc-run %t/toy.diffc sample --weights %t/toy-init.safetensors --steps 3 --batch 5 --seed 5 --out %t/g1.npy
// RUN: diffc-run %t/toy.diffc sample --weights %t/toy-init.safetensors --steps 3 --batch 2 --seed 6 --out %t/g2.npy
// RUN: %python %S/Inputs/eval_inputs.py same %t/gen.npy %t/g0.npy %t/g1.npy %t/g2.npy

// Errors: one line, exit 1 (2 for usage), nothing evaluated.
// RUN: %python %S/Inputs/eval_inputs.py array %t/big.npy 3x1x28x28 float32
// RUN: not diffc-run %t/clf.diffc eval --weights %t/w.safetensors --reference digits --samples %t/big.npy 2>&1 | FileCheck %s --check-prefix=SHAPE
// SHAPE: diffc-run: error: {{.*}}big.npy: samples are tensor<3x1x28x28xf32>, the classifier takes Nx1x8x8 float32 images in [-1, 1] (as diffc-run sample --out x.npy writes them)
// SHAPE-NOT: {{.}}
// RUN: %python %S/Inputs/eval_inputs.py array %t/flat.npy 3x64 float32
// RUN: not diffc-run %t/clf.diffc eval --weights %t/w.safetensors --reference digits --samples %t/flat.npy 2>&1 | FileCheck %s --check-prefix=FLAT
// FLAT: diffc-run: error: {{.*}}flat.npy: samples are tensor<3x64xf32>, the classifier takes Nx1x8x8
// RUN: %python %S/Inputs/eval_inputs.py array %t/ints.npy 3x1x8x8 int64
// RUN: not diffc-run %t/clf.diffc eval --weights %t/w.safetensors --reference digits --samples %t/ints.npy 2>&1 | FileCheck %s --check-prefix=INTS
// INTS: diffc-run: error: {{.*}}ints.npy: samples are tensor<3x1x8x8xi64>, the classifier takes Nx1x8x8 float32
// RUN: %python %S/Inputs/eval_inputs.py array %t/one.npy 1x1x8x8 float32
// RUN: not diffc-run %t/clf.diffc eval --weights %t/w.safetensors --reference digits --samples %t/one.npy 2>&1 | FileCheck %s --check-prefix=ONE
// ONE: diffc-run: error: {{.*}}one.npy: FID needs at least 2 samples, got 1
// RUN: %python %S/Inputs/eval_inputs.py array %t/nan.npy 4x1x8x8 float32 --value nan
// RUN: not diffc-run %t/clf.diffc eval --weights %t/w.safetensors --reference digits --samples %t/nan.npy 2>&1 | FileCheck %s --check-prefix=NAN
// NAN: diffc-run: error: {{.*}}nan.npy: sample 0 has a non-finite value
// RUN: not diffc-run %t/clf.diffc eval --weights %t/w.safetensors --samples %t/digits.npy 2>&1 | FileCheck %s --check-prefix=REFSHAPE
// REFSHAPE: diffc-run: error: /usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz: images are 1x28x28, the model's sample shape is 1x8x8
// RUN: not diffc-run %t/clf.diffc eval --weights %t/w.safetensors --reference %t/png --accuracy 2>&1 | FileCheck %s --check-prefix=NOACC
// NOACC: diffc-run: error: {{.*}}png: no labels, so --accuracy cannot be measured on it
// RUN: not diffc-run %t/toy.diffc eval --samples %t/digits.npy 2>&1 | FileCheck %s --check-prefix=NOCLF
// NOCLF: diffc-run: error: {{.*}}toy.diffc: no entry point "classifier": eval needs a classifier artifact (diffc-zoo classifier, then diffc compile)
// RUN: not diffc-run %t/clf.diffc eval --weights %t/w.safetensors --reference digits --generate %t/clf.diffc --steps 2 2>&1 | FileCheck %s --check-prefix=NOSAMPLER
// NOSAMPLER: diffc-run: error: {{.*}}clf.diffc has no ddim sampler (entry 'sample_ddim'): compile it with diffc compile --sampler=ddim
// RUN: not diffc-run %t/clf.diffc eval 2>&1 | FileCheck %s --check-prefix=NOTHING
// NOTHING: diffc-run: error: nothing to evaluate: give --samples X.npy, --generate MODEL.diffc or --accuracy (see diffc-run --help)
// RUN: not diffc-run %t/clf.diffc eval --samples %t/digits.npy --generate %t/toy.diffc 2>&1 | FileCheck %s --check-prefix=BOTH
// BOTH: diffc-run: error: give --samples or --generate, not both
// RUN: not diffc-run %t/clf.diffc eval --samples %t/digits.npy --steps 5 2>&1 | FileCheck %s --check-prefix=GENONLY
// GENONLY: diffc-run: error: --steps belongs to --generate MODEL.diffc
// RUN: not diffc-run %t/clf.diffc eval --samples %t/digits.npy --confidence 1.5 2>&1 | FileCheck %s --check-prefix=CONF
// CONF: diffc-run: error: --confidence needs a probability in (0, 1), got '1.5'
// RUN: not diffc-run %t/clf.diffc train --samples %t/digits.npy 2>&1 | FileCheck %s --check-prefix=WRONGCMD
// WRONGCMD: diffc-run: error: --samples: evaluation options belong to the eval command
