// The words the simulator "generates": common English words that are exactly one token each, with
// their leading space, under the tokenizer the client uses, so re-tokenising the output gives back
// the number of tokens the server reports. Pure given the tokenizer; computed once per tokenizer.
import type { Tokenizer } from "../data/types.ts";

const CANDIDATES = `the of and to in is that for it as was with be by on not he this are or his from at which
but have an had they you were their one all we can her has there been if more when will would who so no
she other its time new some could these two may first then do any like my now over such our man me even
most made after also did many before must through back years where much your way well down should
because each just those people how too little state good very make world still own see men work long
get here between both life being under never day same another know while last might us great old year
off come since against go came right used take three states himself few house use during without again
place around however home small found thought went say part once general high upon school every
don does got united left number course war until always away something fact though water less public
put think almost hand enough far took head yet government system better set told nothing night end why
called didn eyes find going look asked later knew point next city give group toward young let room
president side social given present several order national possible rather second face per among form
important often things looked early white case john become large big need four within felt along
children saw best church ever least power development light thing seemed family interest want members
mind country area others done turned although open god service certain kind problem began different
door thus help sense means whole matter perhaps itself york times law human line above name example
action company hands local show whether five history gave today either act feet across taken past
quite anything seen having death experience body word half really week field car words already
information tell together college shall money period held keep sure probably free seems political real
behind cannot miss question air office making brought whose special heard major problems ago became
federal available known result street economic boy position reason change south board individual job
society areas west close turn love community true court force full seem am wife future age voice center
woman control common policy necessary following front sometimes six girl clear further land run
students provide feel party able mother music education university child effect level stood military
short town morning total outside rate figure class art century washington north leave therefore top
evidence sound played usually black strong hard`.split(/\s+/);

const cache = new WeakMap<Tokenizer, readonly string[]>();

/** " word" strings that the tokenizer counts as exactly one token (at least 64 of them, else RangeError). */
export function singleTokenWords(tokenizer: Tokenizer): readonly string[] {
  const cached = cache.get(tokenizer);
  if (cached !== undefined) return cached;
  const words = [...new Set(CANDIDATES)].filter((w) => w.length > 0).map((w) => ` ${w}`);
  const single = words.filter((w) => tokenizer.count(w) === 1);
  if (single.length < 64) {
    throw new RangeError(
      `Tokenizer "${tokenizer.name}" has only ${single.length} single-token words; need 64`,
    );
  }
  cache.set(tokenizer, single);
  return single;
}
