import { afterAll, expect, it } from 'vitest';
import { computeNeighbors, shutdownNeighborPool } from '../../lib/neighbors';
import { computeKstar } from '../../lib/density/kstar';
import { densityPAk } from '../../lib/density/pak';
import { computeKstarAsync } from '../../lib/density/kstar';
import { densityPAkAsync } from '../../lib/density/pak';
import { twoNN } from '../../lib/id/twonn';
import { gaussian } from '../neighbors/helpers';

afterAll(() => shutdownNeighborPool());

it('k* and PAk on 1 and 2 worker threads give the single-thread numbers bit for bit', async () => {
  const X = gaussian(2600, 3, 42);
  const nn = await computeNeighbors(X, { maxk: 60 });
  const id = twoNN(nn).id;
  const ks = computeKstar(nn, id);
  const pak = densityPAk(nn, id, ks.kstar);
  for (const workers of [1, 2]) {
    const ka = await computeKstarAsync(nn, id, {}, workers);
    expect(Array.from(ka.kstar)).toEqual(Array.from(ks.kstar));
    expect(Array.from(ka.dc)).toEqual(Array.from(ks.dc));
    const pa = await densityPAkAsync(nn, id, ks.kstar, { workers });
    expect(Array.from(pa.logDen)).toEqual(Array.from(pak.logDen));
    expect(Array.from(pa.logDenErr)).toEqual(Array.from(pak.logDenErr));
    expect(Array.from(pa.iterations)).toEqual(Array.from(pak.iterations));
    expect(pa.warnings).toEqual(pak.warnings);
  }
  // bad input is refused the same way as on this thread
  await expect(computeKstarAsync(nn, -1, {}, 2)).rejects.toThrow('positive intrinsic dimension');
  await expect(densityPAkAsync(nn, id, ks.kstar, { optimised: true, workers: 2 } as never)).rejects.toThrow('optimised');
});
