// gs.io: saving and loading weights in the safetensors format.
export {
  saveSafetensors,
  loadSafetensors,
  readSafetensors,
  saveSafetensorsFile,
  loadSafetensorsFile,
  type LoadedTensor,
  type SafetensorsInput,
  type SafetensorsFile,
} from './safetensors';
