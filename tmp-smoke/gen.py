import random, json, sys
random.seed(7)
fam=["Hex bolt","Socket cap screw","Flat washer","Hex nut","Ball bearing","O-ring","Gasket","Pipe elbow","Power cable","Gear motor","Centrifugal pump","Ball valve","Proximity sensor","Mounting bracket","Steel plate","Round bar","Square tube","Spring pin","Threaded rod","Hose clamp","Cable gland","Terminal block","Circuit breaker","Relay","Fuse","Filter cartridge","V-belt","Chain sprocket","Coupling","Shaft seal"]
mat=["steel","stainless A2","stainless A4","brass","aluminium","PVC","nylon","galvanised","copper","cast iron","EPDM","NBR","PTFE"]
fin=["DIN 933","ISO 4017","zinc plated","black oxide","DIN 125","ISO 7089","food grade","ATEX","IP67","heavy duty",""]
def dim():
  return random.choice([f"M{random.choice([4,5,6,8,10,12,16,20])}x{random.choice([10,16,20,25,30,40,50,60,80,100])}", f"DN{random.choice([15,20,25,32,40,50,65,80])}", f"{random.randint(1,400)} mm", f"{random.choice([230,400,690])} V {random.choice([0.37,0.75,1.5,2.2,4,7.5,11])} kW"])
n=int(sys.argv[1]); out=[]
for i in range(n):
  name=f"{random.choice(fam)} {random.choice(mat)} {dim()} {random.choice(fin)} type {random.randint(100,9999)}".replace("  "," ").strip()
  out.append((f"P-{i:06d}", name))
for code,name in out: print(code+"\t"+name)
