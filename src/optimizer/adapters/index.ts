/** The optimizer's I/O: HiGHS (WebAssembly) and profile files. Composition roots only. */
export { loadHighsSolver } from './highs-solver.js';
export { HighsWorkerSolver, type HighsWorkerSolverOptions } from './highs-worker-solver.js';
export { loadGpuProfiles, type LoadedProfiles } from './profile-files.js';
