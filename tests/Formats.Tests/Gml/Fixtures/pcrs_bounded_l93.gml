<?xml version="1.0" encoding="UTF-8"?>
<pcrs:PlanCorpsRueSimplifie version="2.0" gml:id="PCRS_1"
    xmlns:pcrs="http://cnig.gouv.fr/pcrs"
    xmlns:gml="http://www.opengis.net/gml/3.2"
    xmlns:xlink="http://www.w3.org/1999/xlink">
  <gml:boundedBy>
    <gml:Envelope srsName="urn:ogc:def:crs:EPSG::2154" srsDimension="2">
      <gml:lowerCorner>652000 6862600</gml:lowerCorner>
      <gml:upperCorner>652500 6863000</gml:upperCorner>
    </gml:Envelope>
  </gml:boundedBy>
  <gml:featureMember>
    <pcrs:EmpriseEchangePCRS gml:id="EE1">
      <pcrs:fournisseur>Ville de Test</pcrs:fournisseur>
      <pcrs:datePublication>2024-05-01</pcrs:datePublication>
      <pcrs:type>Commande</pcrs:type>
      <pcrs:geometrie>
        <gml:MultiSurface gml:id="EE1_G" srsName="urn:ogc:def:crs:EPSG::2154" srsDimension="2">
          <gml:surfaceMember>
            <gml:Polygon gml:id="EE1_P">
              <gml:exterior><gml:LinearRing>
                <gml:posList>652000 6862600 652500 6862600 652500 6863000 652000 6863000 652000 6862600</gml:posList>
              </gml:LinearRing></gml:exterior>
            </gml:Polygon>
          </gml:surfaceMember>
        </gml:MultiSurface>
      </pcrs:geometrie>
      <pcrs:idEmprise>EMP-0001</pcrs:idEmprise>
    </pcrs:EmpriseEchangePCRS>
  </gml:featureMember>
  <gml:featureMember>
    <pcrs:AffleurantEnveloppePCRS gml:id="AE1">
      <pcrs:idObjet>AE1</pcrs:idObjet>
      <pcrs:thematique>03</pcrs:thematique>
      <pcrs:qualiteCategorisation>01</pcrs:qualiteCategorisation>
      <pcrs:precisionPlanimetrique>010</pcrs:precisionPlanimetrique>
      <pcrs:producteur>Géomètre Test</pcrs:producteur>
      <pcrs:geometrie>
        <gml:Polygon gml:id="AE1_G" srsName="urn:ogc:def:crs:EPSG::2154" srsDimension="2">
          <gml:exterior><gml:LinearRing>
            <gml:posList>652100.10 6862700.20 652101.10 6862700.20 652101.10 6862701.20 652100.10 6862701.20 652100.10 6862700.20</gml:posList>
          </gml:LinearRing></gml:exterior>
        </gml:Polygon>
      </pcrs:geometrie>
    </pcrs:AffleurantEnveloppePCRS>
  </gml:featureMember>
  <gml:featureMember>
    <pcrs:AffleurantEnveloppePCRS gml:id="AE2">
      <pcrs:idObjet>AE2</pcrs:idObjet>
      <pcrs:thematique>04</pcrs:thematique>
      <pcrs:qualiteCategorisation>01</pcrs:qualiteCategorisation>
      <pcrs:precisionPlanimetrique>010</pcrs:precisionPlanimetrique>
      <pcrs:producteur>Géomètre Test</pcrs:producteur>
      <pcrs:geometrie>
        <gml:Polygon gml:id="AE2_G" srsName="urn:ogc:def:crs:EPSG::2154" srsDimension="2">
          <gml:exterior><gml:LinearRing>
            <gml:posList>652200 6862800 652200.8 6862800 652200.8 6862800.8 652200 6862800.8 652200 6862800</gml:posList>
          </gml:LinearRing></gml:exterior>
        </gml:Polygon>
      </pcrs:geometrie>
    </pcrs:AffleurantEnveloppePCRS>
  </gml:featureMember>
  <gml:featureMember>
    <pcrs:LimiteVoiriePCRS gml:id="LV1">
      <pcrs:idObjet>LV1</pcrs:idObjet>
      <pcrs:thematique>01</pcrs:thematique>
      <pcrs:qualiteCategorisation>01</pcrs:qualiteCategorisation>
      <pcrs:precisionPlanimetrique>005</pcrs:precisionPlanimetrique>
      <pcrs:producteur>Géomètre Test</pcrs:producteur>
      <pcrs:geometrie>
        <gml:LineString gml:id="LV1_G" srsName="urn:ogc:def:crs:EPSG::2154" srsDimension="2">
          <gml:posList>652010 6862610 652490 6862990</gml:posList>
        </gml:LineString>
      </pcrs:geometrie>
    </pcrs:LimiteVoiriePCRS>
  </gml:featureMember>
</pcrs:PlanCorpsRueSimplifie>
