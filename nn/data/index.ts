// gs.data: datasets (FashionMNIST, MNIST, synthetic 2-D sets, your own arrays), the
// tutorials' splitting and scaling (train_test_split, StandardScaler), and the
// DataLoader. Node-only parts (files, the npm data packages) load through dynamic
// imports, so the browser bundle builds; in a browser use imageSetFromBytes / fromArrays.
export { ArrayDataset, ImageDataset, fromArrays, type Dataset } from './dataset';
export { moons, circles, spirals, xor, type SyntheticOptions } from './synthetic';
export { trainTestSplit, featureScaling, scaled, standardize, type FeatureScaling, type TrainTestSplit } from './split';
export { parseIdxImages, parseIdxLabels, IDX_IMAGES_MAGIC, IDX_LABELS_MAGIC, type IdxImages } from './idx';
export { DataLoader, type Batch, type DataLoaderOptions, type LoaderPosition } from './loader';
export { encodeImageSet, decodeImageSet, fnv1a, type ImageSet } from './image-cache';
export {
  fashionMnist,
  mnist,
  imageSetBytes,
  imageSetFromBytes,
  imageNormalization,
  imageSplitSizes,
  IMAGE_NORMALIZATIONS,
  writeImageSetFile,
  type ImageNormalization,
  type ImageSetName,
  type ImageSetOptions,
  type TrainTest,
} from './image-sets';
export { writeFileAtomic, readFileBytes, cacheDir } from './node-files';
