// Builds @tollgate/notify with the shared package build (tsup.base.ts).
import { packageBuild } from '../../tsup.base.ts';

export default packageBuild();
