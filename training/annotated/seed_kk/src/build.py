"""Convert compact draft _src/part_NN.txt -> ../part_NN.csv and validate all parts.
Draft line: kind|lang|script|type|topic|sent|text   (kind: w or t:kursk:ID / t:spb:ID)"""
import csv, sys, re, glob, os
from collections import Counter
L={'k':'kk','m':'mixed'}; S={'c':'cyrillic','l':'latin','r':'russian_letters'}
T={'g':'gratitude','c':'complaint','r':'request','q':'question','o':'other'}
TOP={'rd':'roads_traffic','pt':'public_transport','ut':'utilities','gas':'gas','gr':'greening_parks','ws':'waste_sanitation',
'env':'environment','hs':'housing_construction','an':'animals_zoo','pr':'prices_tariffs','ss':'social_support','hc':'healthcare',
'ed':'education','emp':'employment_economy','ps':'public_safety','cul':'culture_sport_leisure','gov':'governance','no':'none'}
SE={'+':'positive','0':'neutral','-':'negative'}
HDR=['id','kind','lang','script','type','topic','sentiment','text']
RL=str.maketrans('әғқңөұүһіӘҒҚҢӨҰҮҺІ','агкноуухиАГКНОУУХИ')
KK=set('әғқңөұүһіӘҒҚҢӨҰҮҺІ')
def convert(n):
    src=f'part_{n:02d}.txt'; out=f'../part_{n:02d}.csv'; rows=[]; idx=0
    for ln,line in enumerate(open(src,encoding='utf-8'),1):
        line=line.rstrip('\n')
        if not line.strip() or line.startswith('#'): continue
        p=line.split('|',6)
        if len(p)!=7: sys.exit(f'{src}:{ln}: bad fields: {line}')
        k,l,s,t,tp,se,text=p
        text=text.strip().replace('\\n','\n')
        if s=='r': text=text.translate(RL)
        try:
            if k=='w': idx+=1; rid=f'kkseed-{n:02d}{idx:03d}'; kind='written'
            else:
                _,srcn,sid=k.split(':'); assert srcn in('kursk','spb'); rid=f'kkseed-tr-{srcn}-{sid}'; kind='translated'
            rows.append([rid,kind,L[l],S[s],T[t],TOP[tp],SE[se],text])
        except Exception as e: sys.exit(f'{src}:{ln}: {e!r}: {line}')
    with open(out,'w',encoding='utf-8',newline='') as f:
        w=csv.writer(f); w.writerow(HDR); w.writerows(rows)
    return len(rows)
def validate():
    allv={'lang':set(L.values()),'script':set(S.values()),'type':set(T.values()),'topic':set(TOP.values()),'sentiment':set(SE.values()),'kind':{'written','translated'}}
    ids=set(); texts={}; rows=[]; bad=0
    for fn in sorted(glob.glob('../part_*.csv')):
        with open(fn,encoding='utf-8',newline='') as f:
            r=csv.DictReader(f)
            assert r.fieldnames==HDR,(fn,r.fieldnames)
            for x in r:
                for c,v in allv.items():
                    if x[c] not in v: print('BAD',fn,x['id'],c,x[c]); bad+=1
                if x['id'] in ids: print('DUPID',fn,x['id']); bad+=1
                ids.add(x['id'])
                if x['kind']=='translated' and not x['id'].startswith('kkseed-tr-'): print('BADTRID',x['id']); bad+=1
                if x['kind']=='translated' and x['id'].startswith('kkseed-tr-spb-') and x['id'].endswith('0'): print('SPB ends 0',x['id']); bad+=1
                key=re.sub(r'[^\w]','',x['text'].lower())
                if key in texts: print('DUPTEXT',fn,x['id'],texts[key],x['text'][:60]); bad+=1
                texts[key]=x['id']
                t=x['text']
                if x['script']=='russian_letters' and any(ch in KK for ch in t): print('WARN rl has kk letters',x['id'],t[:60])
                if x['script']=='latin' and len(re.findall('[А-Яа-яӘәІі]',t))>len(re.findall('[A-Za-z]',t)): print('WARN latin mostly cyr',x['id'],t[:60])
                if x['script']=='cyrillic' and len(re.findall('[A-Za-z]',t))>len(re.findall('[А-Яа-яӘәҒғҚқҢңӨөҰұҮүҺһІі]',t)): print('WARN cyr mostly latin',x['id'],t[:60])
                if x['script']=='cyrillic' and x['lang']=='kk' and not any(ch in KK for ch in t) and len(t.split())>4: print('WARN cyr kk w/o kk letters',x['id'],t[:60])
                rows.append(x)
    return rows,bad
if __name__=='__main__':
    for a in sys.argv[1:]: print('part',a,convert(int(a)),'rows')
    rows,bad=validate()
    print('total',len(rows),'bad',bad)
    for c in ['kind','lang','script','type','topic','sentiment']:
        print(c,dict(Counter(x[c] for x in rows).most_common()))
