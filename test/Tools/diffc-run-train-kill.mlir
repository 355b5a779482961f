// Training killed with SIGKILL at random instants and resumed from its
// checkpoint each time: latest.safetensors is always complete, and the loss
// log of the pieced-together run equals the uninterrupted run's.
// RUN: rm -rf %t && mkdir -p %t
// RUN: %python %S/Inputs/toy_train.py 1 8 8 --weights %t/init.safetensors 0 0 > %t/toy.mlir
// RUN: diffc compile %t/toy.mlir --weights %t/init.safetensors -o %t/toy.diffc
// RUN: %python %S/Inputs/kill_resume.py diffc-run %t/toy.diffc %t/work | FileCheck %s
// CHECK: ok: {{[0-9]+}} kills, resumed to step 240; the log equals the uninterrupted run's
